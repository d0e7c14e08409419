import { parse, stringify, TomlError } from 'smol-toml';
import { canonical, holdsEntry, type EditPlan, type EditStatus } from './installJson.js';

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Date);

/** A table header line: `[a.b]` or `[[a.b]]`, with an optional comment after it. */
const HEADER = /^\s*\[\[?\s*([^\]#]*?)\s*\]\]?\s*(#.*)?$/;

/** The dotted key of a header as parts, quotes removed (`mcp_servers."poshpool"` -> mcp_servers, poshpool). */
function headerKey(raw: string): string[] {
  return (raw.match(/"(?:[^"\\]|\\.)*"|'[^']*'|[^.\s]+/g) ?? []).map((part) => (part.startsWith('"') || part.startsWith("'") ? part.slice(1, -1) : part));
}

/** Whether the header line at `line` opens `[container.name]` or one of its sub-tables. */
function isOurs(line: string, container: string, name: string): boolean | undefined {
  const m = HEADER.exec(line);
  if (!m) return undefined;
  const key = headerKey(m[1]!);
  return key[0] === container && key[1] === name;
}

/**
 * The lines of `[container.name]` and its sub-tables: from the header to the last key line before
 * the next table that is not ours (comments and blank lines before that table belong to it).
 */
function ourBlock(lines: string[], container: string, name: string): { start: number; end: number } | undefined {
  const start = lines.findIndex((l) => isOurs(l, container, name) === true);
  if (start < 0) return undefined;
  let end = start;
  for (let i = start + 1; i < lines.length; i++) {
    const ours = isOurs(lines[i]!, container, name);
    if (ours === false) break;
    if (ours === true || !/^\s*(#.*)?$/.test(lines[i]!)) end = i;
  }
  return { start, end };
}

/**
 * Plans putting `entry` (install) or nothing (uninstall) as the `[container.name]` table of a TOML
 * file (Codex CLI's config.toml). Only that table (and its sub-tables) is rewritten; every other line
 * stays as written. Keys a person added to the table are kept (its comments are not). A file where
 * the entry is written some other way (an inline table, dotted keys) is refused rather than guessed at.
 */
export function planTomlEdit(text: string | undefined, container: string, name: string, entry: Record<string, unknown> | undefined): EditPlan {
  const source = text ?? '';
  let data: Record<string, unknown>;
  try {
    data = parse(source) as Record<string, unknown>;
  } catch (e) {
    if (!(e instanceof TomlError)) throw e;
    const what = e.message.split('\n')[0]!.replace(/^Invalid TOML document: /, '');
    return { ok: false, reason: `it is not valid TOML at line ${e.line}, column ${e.column} (${what}). Fix that line (or move the file away), then run this again.` };
  }
  const servers = data[container];
  if (servers !== undefined && !isObject(servers)) return { ok: false, reason: `its "${container}" is not a table of servers. Fix it, then run this again.` };
  const existing = servers?.[name];
  if (entry === undefined && existing === undefined) return { ok: true, status: 'absent', text: source };
  if (entry !== undefined && holdsEntry(existing, entry)) return { ok: true, status: 'unchanged', text: source };
  const eol = source.includes('\r\n') ? '\r\n' : '\n';
  const lines = source.split(/\r?\n/);
  const block = ourBlock(lines, container, name);
  const merged = entry === undefined ? undefined : isObject(existing) ? { ...existing, ...entry } : entry;
  const rendered = merged === undefined ? [] : stringify({ [container]: { [name]: merged } }).trimEnd().split('\n');
  let next: string[];
  if (block) {
    const rest = lines.slice(block.end + 1);
    // A removed table leaves one blank line between its neighbours, not two.
    if (rendered.length === 0 && block.start > 0 && lines[block.start - 1]!.trim() === '' && (rest[0] ?? '').trim() === '') rest.shift();
    next = [...lines.slice(0, block.start), ...rendered, ...rest];
  } else {
    const body = lines.at(-1) === '' ? lines.slice(0, -1) : lines;
    next = [...body, ...(body.length > 0 && body.at(-1)!.trim() !== '' ? [''] : []), ...rendered, ''];
  }
  const after = next.join(eol);
  const status: EditStatus = entry === undefined ? 'removed' : existing === undefined ? 'added' : 'updated';
  return verified(after, data, container, name, merged, status);
}

/** Checks that the new text parses and holds exactly the original with the one table changed. */
function verified(after: string, before: Record<string, unknown>, container: string, name: string, entry: unknown, status: EditStatus): EditPlan {
  const servers = isObject(before[container]) ? { ...before[container] } : {};
  if (entry === undefined) delete servers[name];
  else servers[name] = entry;
  // A [container] made only by our sub-table goes with it; one the person wrote stays (empty).
  const withoutEmpty = (v: Record<string, unknown>): Record<string, unknown> => {
    const { [container]: c, ...rest } = v;
    return isObject(c) && Object.keys(c).length === 0 ? rest : v;
  };
  const expected = withoutEmpty({ ...before, [container]: servers });
  let parsed: Record<string, unknown> | undefined;
  try {
    parsed = withoutEmpty(parse(after) as Record<string, unknown>);
  } catch {
    parsed = undefined;
  }
  if (parsed === undefined || canonical(parsed) !== canonical(expected)) {
    return {
      ok: false,
      reason: `its ${container}.${name} entry is not written as a [${container}.${name}] table (an inline table or dotted keys), which this installer does not rewrite. Make it a [${container}.${name}] table or delete it, then run this again.`,
    };
  }
  return { ok: true, status, text: after };
}
