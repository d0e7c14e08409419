import { describe, expect, it } from 'vitest';
import { findJsonSyntaxError } from './jsonSyntax.js';

/** The error, checked against JSON.parse: whenever this finds an error, JSON.parse must fail too. */
function errorOf(text: string) {
  expect(() => JSON.parse(text)).toThrow(SyntaxError);
  return findJsonSyntaxError(text);
}

describe('findJsonSyntaxError', () => {
  it('accepts everything JSON.parse accepts', () => {
    const valid = [
      '{}',
      '[]',
      ' \t\r\n{"a": [1, -2.5e+3, 0, 0.1, 1E9, true, false, null, "x\\"y\\\\\\/\\b\\f\\n\\r\\t\\u00e9"], "b": {"c": {}}}\n',
      '"just a string"',
      '42',
      'null',
      '[[[[[[]]]]]]',
      '{"emoji": "😀", "lone": "\\ud800"}',
    ];
    for (const text of valid) {
      expect(() => JSON.parse(text)).not.toThrow();
      expect(findJsonSyntaxError(text)).toBeNull();
    }
  });

  it('points at a trailing comma in an object, with line and column', () => {
    const text = '{\n  "maxSessions": 4,\n}';
    expect(errorOf(text)).toEqual({ offset: 20, line: 2, column: 19, message: "trailing comma before '}' is not allowed in JSON" });
  });

  it('points at a trailing comma in an array', () => {
    expect(errorOf('[1, 2,]')).toEqual({ offset: 5, line: 1, column: 6, message: "trailing comma before ']' is not allowed in JSON" });
  });

  it('reports a missing comma between fields', () => {
    const text = '{\n  "a": 1\n  "b": 2\n}';
    expect(errorOf(text)).toEqual({ offset: 13, line: 3, column: 3, message: `expected ',' or '}', found '"' (is a comma missing before it?)` });
  });

  it('reports a missing colon', () => {
    expect(errorOf('{"a" 1}')).toEqual({ offset: 5, line: 1, column: 6, message: "expected ':' after the key, found '1'" });
  });

  it('reports single quotes, unquoted keys and comments', () => {
    expect(errorOf("{'a': 1}")?.message).toBe('keys must be in double quotes');
    expect(errorOf('{"a": \'x\'}')).toMatchObject({ column: 7, message: 'strings must be in double quotes' });
    expect(errorOf('{a: 1}')).toMatchObject({ column: 2, message: "expected a key in double quotes, found 'a'" });
    expect(errorOf('{\n  // note\n  "a": 1\n}')).toMatchObject({ line: 2, column: 3, message: 'comments are not allowed in JSON' });
    expect(errorOf('{"a": 1 /* x */}')).toMatchObject({ column: 9, message: 'comments are not allowed in JSON' });
  });

  it('reports a truncated file at its end', () => {
    expect(errorOf('{"a": ')).toEqual({ offset: 6, line: 1, column: 7, message: 'unexpected end of the file: a value is missing' });
    expect(errorOf('{"a": 1')).toEqual({ offset: 7, line: 1, column: 8, message: "expected ',' or '}', found the end of the file" });
    expect(errorOf('')).toEqual({ offset: 0, line: 1, column: 1, message: 'unexpected end of the file: a value is missing' });
  });

  it('reports strings that are not closed, hold raw line breaks or bad escapes', () => {
    expect(errorOf('{"a": "abc}')).toEqual({ offset: 6, line: 1, column: 7, message: 'unterminated string: the closing double quote is missing' });
    expect(errorOf('{"a": "ab\ncd"}')?.message).toBe('unterminated string (a line break inside a string must be written \\n)');
    expect(errorOf('{"a": "a\tb"}')).toMatchObject({ column: 9, message: 'control character in a string (escape it)' });
    expect(errorOf('{"path": "C:\\Users"}')).toMatchObject({ column: 13, message: `invalid escape '\\U' in a string (write a backslash as \\\\, e.g. "C:\\\\Users")` });
    expect(errorOf('["\\u12G4"]')).toMatchObject({ column: 3, message: 'invalid \\u escape in a string: four hex digits must follow' });
  });

  it('reports numbers JSON does not allow', () => {
    expect(errorOf('[01]')).toMatchObject({ column: 2, message: "invalid number '01'" });
    expect(errorOf('[1.]')).toMatchObject({ column: 2, message: "invalid number '1.'" });
    expect(errorOf('[-]')).toMatchObject({ column: 2, message: 'invalid number' });
    expect(errorOf('[+1]')?.message).toBe("unexpected '+': expected a value (object, array, string, number, true, false or null)");
    expect(errorOf('[.5]')?.column).toBe(2);
  });

  it('reports words that are not JSON literals', () => {
    expect(errorOf('{"a": True}')).toMatchObject({ column: 7, message: "unexpected 'T': expected a value (object, array, string, number, true, false or null)" });
    expect(errorOf('{"a": undefined}')?.column).toBe(7);
  });

  it('reports text after the value and mismatched brackets', () => {
    expect(errorOf('{} {}')).toEqual({ offset: 3, line: 1, column: 4, message: "unexpected '{' after the end of the JSON value" });
    expect(errorOf('[1}')).toMatchObject({ column: 3, message: "expected ',' or ']', found '}'" });
  });

  it('counts columns from the start of the line after CRLF line ends', () => {
    expect(errorOf('{\r\n  "a": 1,\r\n}')).toMatchObject({ line: 2, column: 9 });
  });

  it('survives deep nesting without a stack overflow', () => {
    const deep = `${'['.repeat(200_000)}${']'.repeat(199_999)}`;
    expect(findJsonSyntaxError(deep)).toMatchObject({ offset: 399_999, message: "expected ',' or ']', found the end of the file" });
  });

  it('agrees with JSON.parse on thousands of mangled texts (valid exactly when JSON.parse accepts)', () => {
    const base = '{"warmSessions": 3, "shell": {"path": "C:\\\\pwsh.exe", "cols": [1, -2.5e3, true, null]}, "x": "\\u00e9\\n"}';
    expect(() => JSON.parse(base)).not.toThrow();
    const alphabet = ' {}[],:"\\0123456789.-+eEtrufalsn\'/\n\tx';
    let seed = 12345;
    const random = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    let invalid = 0;
    for (let round = 0; round < 5000; round++) {
      let text = base;
      for (let edits = 1 + random(3); edits > 0; edits--) {
        const at = random(text.length + 1);
        const kind = random(3);
        const ch = alphabet[random(alphabet.length)] as string;
        text = kind === 0 ? text.slice(0, at) + text.slice(at + 1) : kind === 1 ? text.slice(0, at) + ch + text.slice(at) : text.slice(0, at) + ch + text.slice(at + 1);
      }
      let parses = true;
      try {
        JSON.parse(text);
      } catch {
        parses = false;
      }
      const found = findJsonSyntaxError(text);
      if (parses !== (found === null)) throw new Error(`disagreement on ${JSON.stringify(text)}: JSON.parse ${parses ? 'accepts' : 'rejects'} it`);
      if (found !== null) {
        invalid++;
        expect(found.offset).toBeGreaterThanOrEqual(0);
        expect(found.offset).toBeLessThanOrEqual(text.length);
      }
    }
    expect(invalid).toBeGreaterThan(1000);
  });
});
