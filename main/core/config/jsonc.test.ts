import { describe, expect, it } from 'vitest';
import { editJsonc, JSONC_MAX_DEPTH, parseJsonc, type JsoncSyntaxError } from './jsonc.js';

/** The syntax error of a text, checked against JSON.parse: whatever JSONC rejects, JSON rejects too. */
function errorOf(text: string): JsoncSyntaxError {
  expect(() => JSON.parse(text)).toThrow(SyntaxError);
  const r = parseJsonc(text, 'test.json');
  if (r.ok) throw new Error(`expected ${JSON.stringify(text)} to be rejected`);
  return r.error;
}

function valueOf(text: string): unknown {
  const r = parseJsonc(text, 'test.json');
  if (!r.ok) throw new Error(r.reason);
  return r.value;
}

describe('parseJsonc: what it reads', () => {
  it('reads everything JSON.parse reads, to the same value', () => {
    const valid = [
      '{}',
      '[]',
      ' \t\r\n{"a": [1, -2.5e+3, 0, 0.1, 1E9, true, false, null, "x\\"y\\\\\\/\\b\\f\\n\\r\\t\\u00e9"], "b": {"c": {}}}\n',
      '"just a string"',
      '42',
      'null',
      '[[[[[[]]]]]]',
      '{"emoji": "😀", "lone": "\\ud800"}',
      '{"a": 1, "a": 2}',
    ];
    for (const text of valid) expect(valueOf(text)).toEqual(JSON.parse(text));
  });

  it('reads line and block comments', () => {
    expect(valueOf('// poshpool settings\n{\n  /* four is enough */ "maxSessions": 4, // lent at once\n  "shell": {/**/}\n}\n// end')).toEqual({ maxSessions: 4, shell: {} });
  });

  it('reads trailing commas in objects and arrays', () => {
    expect(valueOf('{\n  "watchFolders": ["/a", "/b",],\n  "maxSessions": 4,\n}')).toEqual({ watchFolders: ['/a', '/b'], maxSessions: 4 });
  });

  it('ignores a UTF-8 byte order mark', () => {
    expect(valueOf('\uFEFF{"warmSessions": 1}\r\n')).toEqual({ warmSessions: 1 });
  });

  it('takes "__proto__" as an own field, never as the prototype', () => {
    const value = valueOf('{"__proto__": {"x": 1}, "constructor": 1}') as Record<string, unknown>;
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
    expect(Object.keys(value)).toEqual(['__proto__', 'constructor']);
    expect(Object.getOwnPropertyDescriptor(value, '__proto__')?.value).toEqual({ x: 1 });
    expect(value).toEqual(JSON.parse('{"__proto__": {"x": 1}, "constructor": 1}'));
  });
});

describe('parseJsonc: syntax errors with line and column', () => {
  it('reports a missing comma between fields', () => {
    expect(errorOf('{\n  "a": 1\n  "b": 2\n}')).toEqual({ offset: 13, line: 3, column: 3, message: `a comma is missing before '"'` });
  });

  it('reports a missing colon', () => {
    expect(errorOf('{"a" 1}')).toEqual({ offset: 5, line: 1, column: 6, message: "expected ':' after the key, found '1'" });
  });

  it('reports single quotes and unquoted keys', () => {
    expect(errorOf("{'a': 1}")).toMatchObject({ column: 2, message: "strings and keys must be in double quotes, not single quotes (found 'a')" });
    expect(errorOf('{"a": \'x\'}')).toMatchObject({ column: 7, message: "strings and keys must be in double quotes, not single quotes (found 'x')" });
    expect(errorOf('{a: 1}')).toMatchObject({ column: 2, message: 'keys must be in double quotes: write "a"' });
    expect(errorOf('{"a": 1,\n  b: 2}')).toMatchObject({ line: 2, column: 3, message: 'keys must be in double quotes: write "b"' });
  });

  it('reports a truncated file at its end', () => {
    expect(errorOf('{"a": ')).toEqual({ offset: 6, line: 1, column: 7, message: 'the file ends where a value should be' });
    expect(errorOf('{"a": 1')).toEqual({ offset: 7, line: 1, column: 8, message: "the file ends before an object is closed with '}'" });
    expect(errorOf('[1, 2')).toMatchObject({ column: 6, message: "the file ends before an array is closed with ']'" });
    expect(errorOf('')).toEqual({ offset: 0, line: 1, column: 1, message: 'the file ends where a value should be' });
    expect(errorOf('{"a": 1 /* x')).toMatchObject({ column: 9, message: "a '/*' comment is not closed with '*/'" });
  });

  it('reports strings that are not closed, hold raw control characters or bad escapes', () => {
    expect(errorOf('{"a": "abc}')).toEqual({
      offset: 6,
      line: 1,
      column: 7,
      message: 'unterminated string: the closing double quote is missing (a line break inside a string must be written \\n)',
    });
    expect(errorOf('{"a": "ab\ncd"}')).toMatchObject({ line: 1, column: 7, message: expect.stringContaining('unterminated string') });
    expect(errorOf('{"a": "a\tb"}')).toMatchObject({ column: 9, message: 'a tab, line break or other control character in a string must be escaped (\\t, \\n)' });
    expect(errorOf('{"path": "C:\\Users"}')).toMatchObject({ column: 13, message: `invalid escape '\\U' in a string (write a backslash as \\\\, e.g. "C:\\\\Users")` });
    expect(errorOf('["\\u12G4"]')).toMatchObject({ column: 3, message: 'invalid \\u escape in a string: four hex digits must follow' });
  });

  it('reports numbers JSON does not allow', () => {
    expect(errorOf('[01]')).toMatchObject({ column: 2, message: 'a number must not start with 0 (write 7, not 07)' });
    expect(errorOf('[1.]')).toMatchObject({ column: 2, message: "invalid number '1.': digits must follow '.', 'e' or '-'" });
    expect(errorOf('[-]')).toMatchObject({ column: 2, message: "invalid number '-': a number starts with a digit or '-' followed by a digit" });
    expect(errorOf('[+1]')).toMatchObject({ column: 2, message: "invalid number '+1': a number starts with a digit or '-' followed by a digit" });
    expect(errorOf('[.5]')).toMatchObject({ column: 2 });
    expect(errorOf('[0x10]')).toMatchObject({ column: 3 });
  });

  it('reports words that are not JSON literals', () => {
    expect(errorOf('{"a": True}')).toMatchObject({ column: 7, message: "'True' is not a JSON value: write true, false, null, a number, or a string in double quotes" });
    expect(errorOf('{"a": undefined}')).toMatchObject({ column: 7, message: "'undefined' is not a JSON value: write true, false, null, a number, or a string in double quotes" });
  });

  it('reports text after the value, mismatched brackets and empty elements', () => {
    expect(errorOf('{} {}')).toEqual({ offset: 3, line: 1, column: 4, message: "unexpected '{' after the end of the value (only one value, usually one object, may be in the file)" });
    expect(errorOf('[1}')).toMatchObject({ column: 3 });
    expect(errorOf('{"a": 1,,}')).toMatchObject({ column: 9, message: "expected a key in double quotes, found ','" });
    expect(errorOf('[1,,2]')).toMatchObject({ column: 4 });
  });

  it('counts columns from the start of the line after CRLF line ends and past a byte order mark', () => {
    expect(errorOf('{\r\n  "a": 1\r\n  "b": 2\r\n}')).toMatchObject({ line: 3, column: 3 });
    const r = parseJsonc('\uFEFF{"a" 1}', 'x');
    expect(!r.ok && r.error).toMatchObject({ line: 1, column: 6 });
  });

  it('refuses nesting beyond the limit at the bracket that goes too deep, without a stack overflow', () => {
    const deep = `${'['.repeat(200_000)}${']'.repeat(200_000)}`;
    const r = parseJsonc(deep, 'x');
    expect(!r.ok && r.error).toEqual({ offset: JSONC_MAX_DEPTH, line: 1, column: JSONC_MAX_DEPTH + 1, message: `objects and arrays are nested more than ${JSONC_MAX_DEPTH} deep here` });
    const ok = `${'['.repeat(JSONC_MAX_DEPTH)}${']'.repeat(JSONC_MAX_DEPTH)}`;
    expect(parseJsonc(ok, 'x').ok).toBe(true);
  });

  it('names the file, line and column, and quotes the line with a caret under the culprit', () => {
    const r = parseJsonc('{\n  // comment\n  "maxSessions": 4\n  "warmSessions": 1,\n}\n', 'Config file /tmp/c.json');
    expect(!r.ok && r.reason.split('\n')).toEqual([
      `Config file /tmp/c.json is not valid JSON (comments and trailing commas are allowed): line 4, column 3: a comma is missing before '"'.`,
      '    "warmSessions": 1,',
      '    ^',
    ]);
  });

  it('keeps the caret under the culprit on a long line', () => {
    const r = parseJsonc(`{"shell": {"path": "${'x'.repeat(300)}", "cols": 200,,}}`, 'f');
    if (r.ok) throw new Error('expected a failure');
    const lines = r.reason.split('\n');
    expect(lines[0]).toContain('line 1, column 336:');
    const excerpt = lines[1] ?? '';
    const caretAt = (lines[2] ?? '').indexOf('^');
    expect(excerpt.length).toBeLessThanOrEqual(2 + 120);
    expect(excerpt[caretAt]).toBe(',');
  });

  it('agrees with JSON.parse on thousands of mangled texts without comments (rejects exactly what JSON.parse rejects, trailing commas aside)', () => {
    const base = '{"warmSessions": 3, "shell": {"path": "C:\\\\pwsh.exe", "cols": [1, -2.5e3, true, null]}, "x": "\\u00e9\\n"}';
    const alphabet = ' {}[],:"\\0123456789.-+eEtrufalsn\'\n\tx';
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
      let parsed: { ok: true; value: unknown } | { ok: false } = { ok: false };
      try {
        parsed = { ok: true, value: JSON.parse(text) };
      } catch {
        // JSON.parse rejects it: JSONC must too, unless the only fault is a trailing comma.
      }
      const r = parseJsonc(text, 'f');
      if (parsed.ok) {
        if (!r.ok) throw new Error(`JSONC rejects ${JSON.stringify(text)}, which JSON.parse reads: ${r.reason}`);
        expect(r.value).toEqual(parsed.value);
      } else if (r.ok) {
        // Accepted where JSON.parse failed: only a trailing comma may explain it.
        const withoutTrailingCommas = text.replace(/,(\s*[}\]])/g, '$1');
        expect(() => JSON.parse(withoutTrailingCommas), `JSONC accepts ${JSON.stringify(text)}`).not.toThrow();
      } else {
        invalid++;
        expect(r.error.offset).toBeGreaterThanOrEqual(0);
        expect(r.error.offset).toBeLessThanOrEqual(text.length);
        expect(r.error.message).not.toMatch(/^unexpected '.'$/);
      }
    }
    expect(invalid).toBeGreaterThan(1000);
  });
});

describe('editJsonc', () => {
  const commented = '// poshpool\n{\n  "maxSessions": 7, // lent at once\n  /* quiet */\n  "notifications": { "backupFailed": false },\n}\n';

  it('sets a nested field and keeps comments, other fields and the trailing comma', () => {
    const text = editJsonc(commented, ['notifications', 'poolDegraded'], false);
    expect(text).toContain('// poshpool\n');
    expect(text).toContain('"maxSessions": 7, // lent at once\n');
    expect(text).toContain('/* quiet */');
    expect(valueOf(text)).toEqual({ maxSessions: 7, notifications: { backupFailed: false, poolDegraded: false } });
  });

  it('replaces a value in place and removes a field', () => {
    expect(editJsonc(commented, ['maxSessions'], 3)).toBe(commented.replace('"maxSessions": 7', '"maxSessions": 3'));
    // jsonc-parser removes from the comma before the field, so only a comment in that stretch goes with it.
    const removed = editJsonc('{\n  // first\n  "a": 1,\n  "b": 2\n}', ['b'], undefined);
    expect(removed).toBe('{\n  // first\n  "a": 1\n}');
  });

  it("follows the file's indentation and line ends, and keeps a byte order mark", () => {
    expect(editJsonc('{\r\n\t"a": 1\r\n}', ['b'], 2)).toBe('{\r\n\t"a": 1,\r\n\t"b": 2\r\n}');
    expect(editJsonc('{\n    "a": 1\n}', ['b'], 2)).toBe('{\n    "a": 1,\n    "b": 2\n}');
    expect(editJsonc('\uFEFF{"a": 1}', ['a'], 2)).toBe('\uFEFF{"a": 2}');
  });

  it('creates an object in an empty text', () => {
    expect(valueOf(editJsonc('', ['notifications', 'sessionAbandoned'], false))).toEqual({ notifications: { sessionAbandoned: false } });
  });
});
