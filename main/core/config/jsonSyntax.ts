/** Where and why a text is not valid JSON. */
export interface JsonSyntaxError {
  /** 0-based offset (UTF-16 code units) of the offending character. */
  offset: number;
  /** 1-based line. */
  line: number;
  /** 1-based column (UTF-16 code units). */
  column: number;
  /** What is wrong, in words. */
  message: string;
}

type State =
  /** A value must come next. */
  | 'value'
  /** After '[': a value or ']'. */
  | 'firstItem'
  /** After '{': a key or '}'. */
  | 'firstKey'
  /** After ',' in an object: a key. */
  | 'key'
  /** After a key: ':'. */
  | 'colon'
  /** After a value: ',' or the closer of the container, or the end of the text at the top. */
  | 'afterValue';

const WHITESPACE = new Set([' ', '\t', '\n', '\r']);
const ESCAPES = new Set(['"', '\\', '/', 'b', 'f', 'n', 'r', 't']);
const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
const LITERALS = ['true', 'false', 'null'];

/**
 * Finds the first syntax error of a JSON text (RFC 8259, as JSON.parse reads it), with its line and
 * column, because V8's own message often gives no position. Returns null when the text is valid.
 * Iterative, so deep nesting cannot overflow the stack.
 */
export function findJsonSyntaxError(text: string): JsonSyntaxError | null {
  const stack: ('[' | '{')[] = [];
  let state: State = 'value';
  let pos = 0;
  let lastComma = -1;

  const fail = (offset: number, message: string): JsonSyntaxError => ({ offset, ...lineAndColumn(text, offset), message });
  const describe = (offset: number): string =>
    offset >= text.length ? 'the end of the file' : `'${String.fromCodePoint(text.codePointAt(offset) ?? 0)}'`;

  for (;;) {
    while (pos < text.length && WHITESPACE.has(text[pos] as string)) pos++;
    const ch = text[pos];
    const top = stack[stack.length - 1];

    if (ch === '/' && (text[pos + 1] === '/' || text[pos + 1] === '*')) return fail(pos, 'comments are not allowed in JSON');

    if (state === 'colon') {
      if (ch !== ':') return fail(pos, `expected ':' after the key, found ${describe(pos)}`);
      pos++;
      state = 'value';
      continue;
    }

    if (state === 'afterValue') {
      if (top === undefined) {
        if (pos >= text.length) return null;
        return fail(pos, `unexpected ${describe(pos)} after the end of the JSON value`);
      }
      const closer = top === '[' ? ']' : '}';
      if (ch === ',') {
        lastComma = pos;
        pos++;
        state = top === '[' ? 'value' : 'key';
        continue;
      }
      if (ch === closer) {
        stack.pop();
        pos++;
        continue;
      }
      const missingComma = ch !== undefined && /["{[\-0-9tfn]/.test(ch) ? ' (is a comma missing before it?)' : '';
      return fail(pos, `expected ',' or '${closer}', found ${describe(pos)}${missingComma}`);
    }

    if (state === 'firstKey' || state === 'key') {
      if (ch === '}') {
        if (state === 'key') return fail(lastComma, "trailing comma before '}' is not allowed in JSON");
        stack.pop();
        pos++;
        state = 'afterValue';
        continue;
      }
      if (ch === "'") return fail(pos, 'keys must be in double quotes');
      if (ch !== '"') return fail(pos, `expected a key in double quotes, found ${describe(pos)}`);
      const end = scanString(text, pos);
      if (typeof end !== 'number') return fail(end.offset, end.message);
      pos = end;
      state = 'colon';
      continue;
    }

    // 'value' or 'firstItem'
    if (state === 'firstItem' && ch === ']') {
      stack.pop();
      pos++;
      state = 'afterValue';
      continue;
    }
    if (ch === ']' && state === 'value' && top === '[') {
      // A value is expected inside an array only after a comma.
      return fail(lastComma, "trailing comma before ']' is not allowed in JSON");
    }
    if (ch === undefined) return fail(pos, 'unexpected end of the file: a value is missing');
    if (ch === '{' || ch === '[') {
      stack.push(ch);
      pos++;
      state = ch === '{' ? 'firstKey' : 'firstItem';
      continue;
    }
    if (ch === '"') {
      const end = scanString(text, pos);
      if (typeof end !== 'number') return fail(end.offset, end.message);
      pos = end;
      state = 'afterValue';
      continue;
    }
    if (ch === "'") return fail(pos, 'strings must be in double quotes');
    if (ch === '-' || (ch >= '0' && ch <= '9')) {
      NUMBER.lastIndex = pos;
      const m = NUMBER.exec(text);
      if (m === null) return fail(pos, 'invalid number');
      const next = text[pos + m[0].length];
      if (next !== undefined && /[0-9.eE+\-a-zA-Z]/.test(next)) return fail(pos, `invalid number '${text.slice(pos, pos + m[0].length + 1)}'`);
      pos += m[0].length;
      state = 'afterValue';
      continue;
    }
    const literal = LITERALS.find((l) => text.startsWith(l, pos));
    if (literal !== undefined) {
      pos += literal.length;
      state = 'afterValue';
      continue;
    }
    return fail(pos, `unexpected ${describe(pos)}: expected a value (object, array, string, number, true, false or null)`);
  }
}

/** Scans a string starting at its opening quote; returns the offset after the closing quote, or an error. */
function scanString(text: string, start: number): number | { offset: number; message: string } {
  let pos = start + 1;
  while (pos < text.length) {
    const ch = text[pos] as string;
    if (ch === '"') return pos + 1;
    if (ch === '\\') {
      const esc = text[pos + 1];
      if (esc === 'u') {
        if (!/^[0-9a-fA-F]{4}$/.test(text.slice(pos + 2, pos + 6))) return { offset: pos, message: 'invalid \\u escape in a string: four hex digits must follow' };
        pos += 6;
        continue;
      }
      if (esc === undefined || !ESCAPES.has(esc)) return { offset: pos, message: `invalid escape '\\${esc ?? ''}' in a string (write a backslash as \\\\, e.g. "C:\\\\Users")` };
      pos += 2;
      continue;
    }
    if (ch.charCodeAt(0) < 0x20) {
      return { offset: pos, message: ch === '\n' ? 'unterminated string (a line break inside a string must be written \\n)' : 'control character in a string (escape it)' };
    }
    pos++;
  }
  return { offset: start, message: 'unterminated string: the closing double quote is missing' };
}

/** 1-based line and column of an offset. */
function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text[i] === '\n') {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}
