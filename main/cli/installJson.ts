import { createScanner, findNodeAtLocation, getNodeValue, parseTree, type Node as JsonNode, type ParseError, type SyntaxKind } from 'jsonc-parser';
import { parseJsonc } from '../core/config/jsonc.js';

const UTF8_BOM = '\uFEFF';

/** jsonc-parser's SyntaxKind values used here (a const enum, which isolated modules cannot read). */
const TOKEN = { comma: 5, lineComment: 12, blockComment: 13, lineBreak: 14, trivia: 15 } as const satisfies Record<string, SyntaxKind>;

/** JSON with comments and trailing commas, as VS Code reads its own files. */
const PARSE_OPTIONS = { allowTrailingComma: true, disallowComments: false };

/** What an install or uninstall does to a file's text. */
export type EditStatus = 'added' | 'updated' | 'unchanged' | 'removed' | 'absent';

/** The planned new text, or why the file cannot be edited (nothing is written then). */
export type EditPlan = { ok: true; status: EditStatus; text: string } | { ok: false; reason: string };

/** Line and column (both from 1) of a character offset. */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  return { line, column: offset - (before.lastIndexOf('\n') + 1) + 1 };
}

/** A value as text with object keys sorted, so two values compare equal whatever their key order. */
export function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v === null || typeof v !== 'object' || Array.isArray(v) || v instanceof Date) return v;
    return Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  });
}

/** Whether `existing` is an object that already holds every member of `ours` with the same value. */
export function holdsEntry(existing: unknown, ours: Record<string, unknown>): boolean {
  if (existing === null || typeof existing !== 'object' || Array.isArray(existing)) return false;
  const e = existing as Record<string, unknown>;
  return Object.entries(ours).every(([k, v]) => k in e && canonical(e[k]) === canonical(v));
}

/** The indentation unit and line end the file already uses (two spaces and \n for a new file). */
interface Layout {
  unit: string;
  eol: string;
}

function layoutOf(text: string): Layout {
  const indent = /^([ \t]+)["}\]]/m.exec(text)?.[1] ?? '  ';
  return { unit: indent.startsWith('\t') ? '\t' : ' '.repeat(Math.min(indent.length, 8)), eol: text.includes('\r\n') ? '\r\n' : '\n' };
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** The whitespace a line starts with, for the line holding `offset`. */
function lineIndent(text: string, offset: number): string {
  const start = text.lastIndexOf('\n', offset - 1) + 1;
  return /^[ \t]*/.exec(text.slice(start))![0];
}

/** A value as JSON laid out like the file, its first line starting at an indentation of `base`. */
function pretty(value: unknown, base: string, layout: Layout): string {
  return JSON.stringify(value, null, layout.unit).split('\n').join(layout.eol + base);
}

/** The next token from `offset` that is not whitespace or a comment. */
function nextToken(text: string, offset: number): { kind: SyntaxKind; offset: number; end: number } {
  const scanner = createScanner(text, false);
  scanner.setPosition(offset);
  for (;;) {
    const kind = scanner.scan();
    if (kind === TOKEN.trivia || kind === TOKEN.lineBreak || kind === TOKEN.lineComment || kind === TOKEN.blockComment) continue;
    return { kind, offset: scanner.getTokenOffset(), end: scanner.getTokenOffset() + scanner.getTokenLength() };
  }
}

type Edit = { offset: number; length: number; content: string };

function apply(text: string, edits: Edit[]): string {
  return [...edits].sort((a, b) => b.offset - a.offset).reduce((t, e) => t.slice(0, e.offset) + e.content + t.slice(e.offset + e.length), text);
}

/**
 * Adds `"key": value` as the last member of the object `obj`: one insertion right after the last
 * member (before its trailing comma, if any), so every character of the file stays as it was.
 */
function insertMember(text: string, obj: JsonNode, key: string, value: unknown, layout: Layout): string {
  const members = obj.children ?? [];
  const objIndent = lineIndent(text, obj.offset);
  if (members.length === 0) {
    const inner = text.slice(obj.offset + 1, obj.offset + obj.length - 1);
    const member = `${layout.eol}${objIndent}${layout.unit}${JSON.stringify(key)}: ${pretty(value, objIndent + layout.unit, layout)}`;
    // An empty object's whitespace is replaced; one holding a comment keeps it after the member.
    if (inner.trim() === '') return apply(text, [{ offset: obj.offset + 1, length: inner.length, content: `${member}${layout.eol}${objIndent}` }]);
    return apply(text, [{ offset: obj.offset + 1, length: 0, content: member }]);
  }
  const first = members[0]!;
  const onOwnLines = text.slice(obj.offset, first.offset).includes('\n');
  const indent = onOwnLines ? lineIndent(text, first.offset) : objIndent + layout.unit;
  const last = members.at(-1)!;
  const content = `,${layout.eol}${indent}${JSON.stringify(key)}: ${pretty(value, indent, layout)}`;
  return apply(text, [{ offset: last.offset + last.length, length: 0, content }]);
}

/** Replaces the value node `node` (nothing else). */
function replaceValue(text: string, node: JsonNode, value: unknown, layout: Layout): string {
  return apply(text, [{ offset: node.offset, length: node.length, content: pretty(value, lineIndent(text, node.offset), layout) }]);
}

/**
 * Removes the member `prop` of `obj` and one comma; comments before and after it stay. The last
 * member goes with the comma before it (the inverse of {@link insertMember}), so strict JSON stays
 * strict and a file installed into and uninstalled from is the file it was.
 */
function removeMember(text: string, obj: JsonNode, prop: JsonNode): string {
  const members = obj.children ?? [];
  const index = members.indexOf(prop);
  const end = prop.offset + prop.length;
  const after = nextToken(text, end);
  const prev = index > 0 ? members[index - 1]! : undefined;
  if (prev !== undefined && index === members.length - 1) {
    const prevEnd = prev.offset + prev.length;
    if (/^\s*,\s*$/.test(text.slice(prevEnd, prop.offset))) return apply(text, [{ offset: prevEnd, length: end - prevEnd, content: '' }]);
    if (after.kind !== TOKEN.comma) {
      // A comment stands between the two: take the comma before and the member's own lines.
      const comma = nextToken(text, prevEnd);
      return apply(text, [{ offset: comma.offset, length: comma.end - comma.offset, content: '' }, wholeLines(text, prop.offset, end)]);
    }
  }
  return apply(text, [wholeLines(text, prop.offset, after.kind === TOKEN.comma ? after.end : end)]);
}

/** The edit removing [start, end), widened to whole lines when nothing else is on them. */
function wholeLines(text: string, start: number, end: number): Edit {
  const lineStart = text.lastIndexOf('\n', start - 1) + 1;
  const rest = /^[ \t]*(\r?\n|$)/.exec(text.slice(end));
  if (/^[ \t]*$/.test(text.slice(lineStart, start)) && rest) return { offset: lineStart, length: end + rest[0].length - lineStart, content: '' };
  return { offset: start, length: end - start, content: '' };
}

/**
 * Plans putting `entry` (install) or nothing (uninstall: `entry` undefined) at `container.name` of a
 * JSON-with-comments file, with jsonc-parser's own edits: everything outside the edited members
 * stays as written, comments and trailing commas included. Members a person added to an existing
 * entry are kept. `text` undefined: the file does not exist.
 */
export function planJsonEdit(text: string | undefined, container: string, name: string, entry: Record<string, unknown> | undefined): EditPlan {
  // A byte order mark (Notepad's) stays in front; the edits work on what follows it.
  const bom = text?.startsWith(UTF8_BOM) ? UTF8_BOM : '';
  const plan = planBody(text?.slice(bom.length), container, name, entry);
  return plan.ok ? { ...plan, text: bom + plan.text } : plan;
}

function planBody(text: string | undefined, container: string, name: string, entry: Record<string, unknown> | undefined): EditPlan {
  if (text === undefined || text.trim() === '') {
    if (entry === undefined) return { ok: true, status: 'absent', text: text ?? '' };
    return { ok: true, status: 'added', text: `${JSON.stringify({ [container]: { [name]: entry } }, null, 2)}\n` };
  }
  // The config's own reader says where and what in plain words, the line quoted (and caps nesting).
  const checked = parseJsonc(text, 'it');
  if (!checked.ok) return { ok: false, reason: `${checked.reason}\nFix that (or move the file away), then run this again.` };
  const root = parseTree(text, [], PARSE_OPTIONS);
  if (root === undefined) return { ok: false, reason: 'it holds no JSON value. Fix it (or move the file away), then run this again.' };
  if (root.type !== 'object') return { ok: false, reason: `it holds a JSON ${root.type}, not an object. Make it an object (or move the file away), then run this again.` };
  const holder = findNodeAtLocation(root, [container]);
  if (holder !== undefined && holder.type !== 'object') {
    const at = lineColumn(text, holder.offset);
    return { ok: false, reason: `its "${container}" (line ${at.line}, column ${at.column}) is a ${holder.type}, not an object of servers. Fix it, then run this again.` };
  }
  const existingNode = findNodeAtLocation(root, [container, name]);
  const existing: unknown = existingNode === undefined ? undefined : getNodeValue(existingNode);
  const layout = layoutOf(text);
  if (entry === undefined) {
    if (existingNode === undefined) return { ok: true, status: 'absent', text };
    return verified(text, removeMember(text, holder!, existingNode.parent!), container, name, undefined, 'removed');
  }
  if (holdsEntry(existing, entry)) return { ok: true, status: 'unchanged', text };
  let next: string;
  if (holder === undefined) next = insertMember(text, root, container, { [name]: entry }, layout);
  else if (existingNode === undefined) next = insertMember(text, holder, name, entry, layout);
  else if (!isObject(existing)) next = replaceValue(text, existingNode, entry, layout);
  else {
    // Member by member: what a person added to the entry (env, disabled, a comment) stays.
    next = text;
    for (const [key, value] of Object.entries(entry)) {
      const node = findNodeAtLocation(parseTree(next, [], PARSE_OPTIONS)!, [container, name])!;
      const member = findNodeAtLocation(node, [key]);
      if (member !== undefined && canonical(getNodeValue(member)) === canonical(value)) continue;
      next = member === undefined ? insertMember(next, node, key, value, layout) : replaceValue(next, member, value, layout);
    }
  }
  const merged = isObject(existing) ? { ...existing, ...entry } : entry;
  return verified(text, next, container, name, merged, existing === undefined ? 'added' : 'updated');
}

/** Checks that the edited text parses and holds exactly the original with the one entry changed. */
function verified(before: string, after: string, container: string, name: string, entry: unknown, status: EditStatus): EditPlan {
  const read = (t: string): unknown => getNodeValue(parseTree(t, [], PARSE_OPTIONS)!);
  const expected = read(before) as Record<string, unknown>;
  const servers = isObject(expected[container]) ? { ...expected[container] } : {};
  if (entry === undefined) delete servers[name];
  else servers[name] = entry;
  const errors: ParseError[] = [];
  parseTree(after, errors, PARSE_OPTIONS);
  if (errors.length > 0 || canonical(read(after)) !== canonical({ ...expected, [container]: servers })) {
    // The edits are exact; this guards against a file shape they were not made for.
    return { ok: false, reason: `the edit did not come out as planned, so nothing was written. Add the entry by hand (poshpool install --print shows it).` };
  }
  return { ok: true, status, text: after };
}
