import { applyEdits, createScanner, modify, printParseErrorCode, visit, type JSONPath, type ParseError, type SyntaxKind } from 'jsonc-parser';

/**
 * JSON with comments (JSONC), read and edited with Microsoft's jsonc-parser (the one VS Code uses for
 * settings.json and mcp.json): `//` and `/* *\/` comments and trailing commas are allowed; anything
 * else that JSON.parse rejects is an error with its line, column and what to write instead.
 */

/** Where and why a text is not valid JSONC. */
export interface JsoncSyntaxError {
  /** 0-based offset (UTF-16 code units) of the offending character, in the text without a byte order mark. */
  offset: number;
  /** 1-based line. */
  line: number;
  /** 1-based column (UTF-16 code units). */
  column: number;
  /** What is wrong, in plain words, e.g. "a comma is missing before this". */
  message: string;
}

/**
 * A parsed value, or the first syntax error: `error` alone, and `reason` for people: the file label,
 * line, column, message, and the line quoted with a caret under the column (callers add what to do).
 */
export type JsoncParseResult = { ok: true; value: unknown } | { ok: false; error: JsoncSyntaxError; reason: string };

/** Characters of the offending line quoted in a syntax error. */
export const EXCERPT_MAX_CHARS = 120;
/**
 * Deepest nesting of objects and arrays read. jsonc-parser descends recursively, so a deeper text
 * (a corrupt or hostile file) would overflow the stack; no config comes near it.
 */
export const JSONC_MAX_DEPTH = 1000;

const UTF8_BOM = '\uFEFF';
/** SyntaxKind values of jsonc-parser's scanner (an ambient const enum, not readable under isolatedModules). */
const OPEN_BRACE = 1 as SyntaxKind;
const CLOSE_BRACE = 2 as SyntaxKind;
const OPEN_BRACKET = 3 as SyntaxKind;
const CLOSE_BRACKET = 4 as SyntaxKind;
const EOF = 17 as SyntaxKind;

/**
 * Reads a JSONC text (comments and trailing commas allowed; a leading UTF-8 byte order mark is
 * ignored). `fileLabel` names the text in the reason, e.g. "Config file /home/me/.config/poshpool/config.json".
 * Keys are taken literally: `"__proto__"` is an own field, never the object's prototype.
 */
export function parseJsonc(text: string, fileLabel: string): JsoncParseResult {
  const body = text.startsWith(UTF8_BOM) ? text.slice(1) : text;
  const fail = (offset: number, message: string): JsoncParseResult => {
    const error = { offset, ...lineAndColumn(body, offset), message };
    return { ok: false, error, reason: describe(fileLabel, body, error) };
  };
  const tooDeep = depthBeyondLimit(body);
  if (tooDeep !== undefined) return fail(tooDeep, `objects and arrays are nested more than ${JSONC_MAX_DEPTH} deep here`);

  const errors: ParseError[] = [];
  const value = buildValue(body, errors);
  const first = errors[0];
  if (first !== undefined) {
    const { offset, message } = explain(body, first);
    return fail(offset, message);
  }
  return { ok: true, value };
}

/**
 * Sets (or, with `undefined`, removes) the value at `path` and returns the new text; comments,
 * formatting and every other field stay as written. New lines follow the text's own indentation and
 * line ends. The text must hold an object (or be empty) and parse: check it with parseJsonc first.
 */
export function editJsonc(text: string, path: JSONPath, value: unknown): string {
  const bom = text.startsWith(UTF8_BOM) ? UTF8_BOM : '';
  const body = text.slice(bom.length);
  const edits = modify(body, path, value, { formattingOptions: formattingOf(body) });
  return bom + applyEdits(body, edits);
}

/** The indentation and line end a text already uses (two spaces and \n for a new file). */
function formattingOf(text: string): { insertSpaces: boolean; tabSize: number; eol: string } {
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const indent = /^([ \t]+)\S/m.exec(text)?.[1];
  if (indent === undefined) return { insertSpaces: true, tabSize: 2, eol };
  if (indent.startsWith('\t')) return { insertSpaces: false, tabSize: 1, eol };
  return { insertSpaces: true, tabSize: indent.length, eol };
}

/** The offset of the first bracket that opens a level beyond JSONC_MAX_DEPTH, if any (an iterative scan). */
function depthBeyondLimit(text: string): number | undefined {
  const scanner = createScanner(text, true);
  let depth = 0;
  for (let kind = scanner.scan(); kind !== EOF; kind = scanner.scan()) {
    if (kind === OPEN_BRACE || kind === OPEN_BRACKET) {
      depth++;
      if (depth > JSONC_MAX_DEPTH) return scanner.getTokenOffset();
    } else if (kind === CLOSE_BRACE || kind === CLOSE_BRACKET) {
      depth = Math.max(0, depth - 1);
    }
  }
  return undefined;
}

/**
 * jsonc-parser's own `parse`, except that fields are defined as own properties: its `parse` assigns
 * them, so a `"__proto__"` key would replace the object's prototype instead of being a field.
 */
function buildValue(text: string, errors: ParseError[]): unknown {
  const root: unknown[] = [];
  let parent: Record<string, unknown> | unknown[] = root;
  let property: string | null = null;
  const parents: (Record<string, unknown> | unknown[])[] = [];
  const add = (value: unknown): void => {
    if (Array.isArray(parent)) parent.push(value);
    else if (property !== null) Object.defineProperty(parent, property, { value, enumerable: true, writable: true, configurable: true });
  };
  const open = (container: Record<string, unknown> | unknown[]): void => {
    add(container);
    parents.push(parent);
    parent = container;
    property = null;
  };
  const close = (): void => {
    parent = parents.pop() ?? root;
  };
  visit(
    text,
    {
      onObjectBegin: () => open({}),
      onObjectProperty: (name) => void (property = name),
      onObjectEnd: close,
      onArrayBegin: () => open([]),
      onArrayEnd: close,
      onLiteralValue: add,
      onError: (error, offset, length) => void errors.push({ error, offset, length }),
    },
    { allowTrailingComma: true, disallowComments: false, allowEmptyContent: false },
  );
  return root[0];
}

/** jsonc-parser's error code in words, at the character a person should look at. */
function explain(text: string, error: ParseError): { offset: number; message: string } {
  const { offset, length } = error;
  const token = text.slice(offset, offset + length);
  const atEnd = offset >= text.length;
  switch (printParseErrorCode(error.error)) {
    case 'InvalidSymbol':
      return { offset, message: invalidSymbol(text, offset, token) };
    case 'ValueExpected':
      return { offset, message: atEnd ? 'the file ends where a value should be' : `expected a value (object, array, string, number, true, false or null), found ${shown(text, offset)}` };
    case 'PropertyNameExpected':
      return { offset, message: atEnd ? "the file ends before an object is closed with '}'" : `expected a key in double quotes, found ${shown(text, offset)}` };
    case 'ColonExpected':
      return { offset, message: `expected ':' after the key, found ${shown(text, offset)}` };
    case 'CommaExpected':
      if (/^[0-9]/.test(token) && /(?:^|[^0-9.eE+-])-?0$/.test(text.slice(0, offset))) return { offset: offset - 1, message: 'a number must not start with 0 (write 7, not 07)' };
      return { offset, message: `a comma is missing before ${shown(text, offset)}` };
    case 'CloseBraceExpected':
      return { offset, message: atEnd ? "the file ends before an object is closed with '}'" : `expected ',' or '}', found ${shown(text, offset)}` };
    case 'CloseBracketExpected':
      return { offset, message: atEnd ? "the file ends before an array is closed with ']'" : `expected ',' or ']', found ${shown(text, offset)}` };
    case 'EndOfFileExpected':
      return { offset, message: `unexpected ${shown(text, offset)} after the end of the value (only one value, usually one object, may be in the file)` };
    case 'UnexpectedEndOfString':
      return { offset, message: 'unterminated string: the closing double quote is missing (a line break inside a string must be written \\n)' };
    case 'InvalidEscapeCharacter': {
      const at = badEscape(text, offset, length);
      const esc = text[at + 1] ?? '';
      return { offset: at, message: `invalid escape '\\${esc}' in a string (write a backslash as \\\\, e.g. "C:\\\\Users")` };
    }
    case 'InvalidUnicode':
      return { offset: text.indexOf('\\u', offset), message: 'invalid \\u escape in a string: four hex digits must follow' };
    case 'InvalidCharacter': {
      const at = firstControlCharacter(text, offset, length);
      return { offset: at, message: 'a tab, line break or other control character in a string must be escaped (\\t, \\n)' };
    }
    case 'UnexpectedEndOfNumber':
    case 'InvalidNumberFormat':
      return { offset, message: `invalid number '${token}': digits must follow '.', 'e' or '-'` };
    case 'UnexpectedEndOfComment':
      return { offset, message: "a '/*' comment is not closed with '*/'" };
    default:
      return { offset, message: `unexpected ${shown(text, offset)}` };
  }
}

/** A word or character jsonc-parser does not know, with the usual reason for it. */
function invalidSymbol(text: string, offset: number, token: string): string {
  if (token.startsWith("'")) return `strings and keys must be in double quotes, not single quotes (found ${token})`;
  const before = text.slice(0, offset).trimEnd();
  if (/^[A-Za-z_$][\w$]*$/.test(token) && (before.endsWith('{') || before.endsWith(','))) {
    return `keys must be in double quotes: write "${token}"`;
  }
  if (/^(?:True|False|TRUE|FALSE|None|undefined|NaN|Infinity|-Infinity|nil)$/.test(token)) {
    return `'${token}' is not a JSON value: write true, false, null, a number, or a string in double quotes`;
  }
  if (/^[+.]/.test(token) || token === '-') return `invalid number '${token}': a number starts with a digit or '-' followed by a digit`;
  if (/^-?0[xXbBoO]/.test(token)) return `invalid number '${token}': JSON numbers are decimal`;
  return `unexpected '${token}': expected a value (object, array, string, number, true, false or null)`;
}

/** The backslash of the first invalid escape in a string token. */
function badEscape(text: string, from: number, length: number): number {
  for (let i = from + 1; i < from + length; i++) {
    if (text[i] !== '\\') continue;
    if (!/["\\/bfnrtu]/.test(text[i + 1] ?? '')) return i;
    i++;
  }
  return from;
}

/** The first raw control character inside a string token. */
function firstControlCharacter(text: string, from: number, length: number): number {
  for (let i = from; i < from + length; i++) if (text.charCodeAt(i) < 0x20) return i;
  return from;
}

/** "'x'" or "the end of the file". */
function shown(text: string, offset: number): string {
  return offset >= text.length ? 'the end of the file' : `'${String.fromCodePoint(text.codePointAt(offset) ?? 0)}'`;
}

/** "<label> is not valid JSON: line L, column C: <message>." with the line quoted and a caret under the column. */
function describe(fileLabel: string, text: string, error: JsoncSyntaxError): string {
  const lineText = text.split('\n')[error.line - 1]?.replace(/\r$/, '') ?? '';
  // Quote a window of a long line around the column, so the caret stays under the culprit.
  const from = Math.max(0, Math.min(error.column - 1 - Math.floor(EXCERPT_MAX_CHARS / 2), lineText.length - EXCERPT_MAX_CHARS));
  const excerpt = lineText.slice(from, from + EXCERPT_MAX_CHARS).replace(/\t/g, ' ');
  const caret = `${' '.repeat(Math.max(0, error.column - 1 - from))}^`;
  return `${fileLabel} is not valid JSON (comments and trailing commas are allowed): line ${error.line}, column ${error.column}: ${error.message}.\n  ${excerpt}\n  ${caret}`;
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
