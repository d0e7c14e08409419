import { z } from 'zod';
import { configSchema, type PoshpoolConfig } from './schema.js';

/** One thing wrong with a config, tied to a field. */
export interface ConfigProblem {
  /** Dotted path of the field (`shell.cols`); empty for the config as a whole. */
  path: string;
  /** What was found, what is allowed, and how to fix it. */
  message: string;
}

/** A checked config, or everything wrong with it. */
export type ConfigValidation = { ok: true; config: PoshpoolConfig } | { ok: false; problems: ConfigProblem[] };

/** An unknown field is matched to a known one at most this many edits away ("did you mean"). */
export const SUGGESTION_MAX_DISTANCE = 2;
/** Characters of a found value shown in a message. */
export const SHOWN_VALUE_MAX_CHARS = 80;

/** The part of a JSON Schema this file reads. */
interface FieldSchema {
  type?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  enum?: unknown[];
  default?: unknown;
  description?: string;
  properties?: Record<string, FieldSchema>;
}

/** What every field allows, described by zod itself (bounds, types, defaults, descriptions). */
const CONFIG_JSON_SCHEMA = z.toJSONSchema(configSchema, { io: 'input' }) as FieldSchema;

/**
 * Checks a parsed config file: every field against the schema (all problems, not just the first),
 * fields the schema does not know (with a "did you mean"), and rules that span fields.
 */
export function validateConfig(raw: unknown): ConfigValidation {
  const problems: ConfigProblem[] = [];
  const parsed = configSchema.safeParse(raw);
  if (!parsed.success) problems.push(...problemsOfIssues(raw, parsed.error.issues));
  if (isPlainObject(raw)) {
    problems.push(...unknownFields(raw, CONFIG_JSON_SCHEMA, []));
    problems.push(...crossFieldProblems(raw));
  }
  if (problems.length > 0 || !parsed.success) return { ok: false, problems };
  return { ok: true, config: parsed.data };
}

/** Zod's issues, one problem per field (a field can fail more than one check). */
function problemsOfIssues(raw: unknown, issues: readonly z.core.$ZodIssue[]): ConfigProblem[] {
  const byPath = new Map<string, { path: PropertyKey[]; issues: z.core.$ZodIssue[] }>();
  for (const issue of issues) {
    const key = dotted(issue.path);
    const entry = byPath.get(key) ?? { path: issue.path, issues: [] };
    entry.issues.push(issue);
    byPath.set(key, entry);
  }
  const problems: ConfigProblem[] = [];
  for (const [key, { path, issues: fieldIssues }] of byPath) {
    const value = valueAt(raw, path);
    if (key === '') {
      problems.push({ path: '', message: `the config must be a JSON object such as {"maxSessions": 5}, but the file holds ${kindOf(value)}` });
      continue;
    }
    const what = [...new Set(tightest(fieldIssues).map((i) => describeIssue(i, value)))].join('; ');
    const allowed = describeAllowed(schemaAt(path));
    problems.push({ path: key, message: `found ${show(value)}: ${what}.${allowed === '' ? '' : ` Allowed: ${allowed}.`}` });
  }
  return problems;
}

/** Of several upper (lower) bounds broken by one value, only the tightest is worth saying. */
function tightest(issues: z.core.$ZodIssue[]): z.core.$ZodIssue[] {
  const bigs = issues.filter((i): i is z.core.$ZodIssueTooBig => i.code === 'too_big');
  const smalls = issues.filter((i): i is z.core.$ZodIssueTooSmall => i.code === 'too_small');
  const minBig = bigs.reduce<z.core.$ZodIssueTooBig | undefined>((a, b) => (a === undefined || Number(b.maximum) < Number(a.maximum) ? b : a), undefined);
  const maxSmall = smalls.reduce<z.core.$ZodIssueTooSmall | undefined>((a, b) => (a === undefined || Number(b.minimum) > Number(a.minimum) ? b : a), undefined);
  return issues.filter((i) => (i.code !== 'too_big' || i === minBig) && (i.code !== 'too_small' || i === maxSmall));
}

/** One zod issue in words, from its structured fields (not its English message). */
function describeIssue(issue: z.core.$ZodIssue, value: unknown): string {
  switch (issue.code) {
    case 'invalid_type': {
      if (issue.expected === 'int' && typeof value === 'number') return 'it must be a whole number';
      return `expected ${typeName(issue.expected)}, not ${kindOf(value)}`;
    }
    case 'too_small': {
      const unit = sizeUnit(issue.origin);
      return issue.inclusive ? `it must be at least ${String(issue.minimum)}${unit}` : `it must be more than ${String(issue.minimum)}${unit}`;
    }
    case 'too_big': {
      const unit = sizeUnit(issue.origin);
      return issue.inclusive ? `it must be at most ${String(issue.maximum)}${unit}` : `it must be less than ${String(issue.maximum)}${unit}`;
    }
    case 'invalid_value':
      return `it must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'not_multiple_of':
      return `it must be a multiple of ${String(issue.divisor)}`;
    case 'invalid_format':
      return `it must be a valid ${issue.format}`;
    default:
      return issue.message;
  }
}

/** What a field accepts, from the JSON Schema zod derives: type, range or choices, default, meaning. */
function describeAllowed(schema: FieldSchema | undefined): string {
  if (schema === undefined) return '';
  const parts: string[] = [];
  if (schema.enum !== undefined) parts.push(`one of ${schema.enum.map((v) => JSON.stringify(v)).join(', ')}`);
  else if (schema.type !== undefined) parts.push(typeName(schema.type) + rangeOf(schema));
  if (schema.default !== undefined && schema.type !== 'object') parts.push(`default ${JSON.stringify(schema.default)}`);
  if (schema.type === 'object' && schema.properties !== undefined) parts.push(`with the fields ${Object.keys(schema.properties).join(', ')}`);
  let text = parts.join(', ');
  if (schema.description !== undefined) text += ` (${schema.description})`;
  return text;
}

/** " from 40 to 1000", " at least 1", " more than 0 and at most 1"; no upper bound for safe-integer limits. */
function rangeOf(schema: FieldSchema): string {
  const max = schema.maximum !== undefined && schema.maximum < Number.MAX_SAFE_INTEGER ? schema.maximum : undefined;
  if (schema.minimum !== undefined && max !== undefined) return ` from ${schema.minimum} to ${max}`;
  const bounds: string[] = [];
  if (schema.minimum !== undefined) bounds.push(`at least ${schema.minimum}`);
  if (schema.exclusiveMinimum !== undefined) bounds.push(`more than ${schema.exclusiveMinimum}`);
  if (max !== undefined) bounds.push(`at most ${max}`);
  if (schema.exclusiveMaximum !== undefined) bounds.push(`less than ${schema.exclusiveMaximum}`);
  return bounds.length === 0 ? '' : ` ${bounds.join(' and ')}`;
}

/** Fields the schema does not know, each with the closest known field when one is near. */
function unknownFields(raw: Record<string, unknown>, schema: FieldSchema, at: string[]): ConfigProblem[] {
  const known = schema.properties ?? {};
  const problems: ConfigProblem[] = [];
  for (const [key, value] of Object.entries(raw)) {
    const field = Object.hasOwn(known, key) ? known[key] : undefined;
    if (field === undefined) {
      const suggestion = suggest(key, at);
      const hint = suggestion === undefined ? ` Remove it; the known fields here are: ${Object.keys(known).join(', ')}.` : ` Did you mean "${suggestion}"?`;
      problems.push({ path: dotted([...at, key]), message: `unknown field.${hint}` });
    } else if (field.properties !== undefined && isPlainObject(value)) {
      problems.push(...unknownFields(value, field, [...at, key]));
    }
  }
  return problems;
}

/**
 * The known field an unknown key most likely meant: a sibling within a few edits (case ignored), or a
 * field of the same name in another section (`cols` at the top level means `shell.cols`).
 */
function suggest(key: string, at: string[]): string | undefined {
  const siblings = Object.keys(schemaAt(at)?.properties ?? {});
  let best: { name: string; distance: number } | undefined;
  for (const name of siblings) {
    const distance = levenshtein(key.toLowerCase(), name.toLowerCase());
    if (distance <= SUGGESTION_MAX_DISTANCE && (best === undefined || distance < best.distance)) best = { name, distance };
  }
  if (best !== undefined) return dotted([...at, best.name]);
  // No sibling has this name (it would be known), so an exact match is in another section.
  const elsewhere = allFieldPaths(CONFIG_JSON_SCHEMA, []).find((p) => p[p.length - 1]?.toLowerCase() === key.toLowerCase());
  return elsewhere === undefined ? undefined : dotted(elsewhere);
}

/** Every field path of a schema, depth first. */
function allFieldPaths(schema: FieldSchema, at: string[]): string[][] {
  const out: string[][] = [];
  for (const [name, field] of Object.entries(schema.properties ?? {})) {
    out.push([...at, name]);
    out.push(...allFieldPaths(field, [...at, name]));
  }
  return out;
}

/** Edit distance (insertions, deletions, substitutions) between two strings. */
export function levenshtein(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      row.push(Math.min((prev[j] as number) + 1, (row[j - 1] as number) + 1, (prev[j - 1] as number) + cost));
    }
    prev = row;
  }
  return prev[b.length] as number;
}

/**
 * Rules that span fields. Each field is read as the config would hold it (its default when absent), so
 * the rule is checked even when unrelated fields are wrong.
 */
function crossFieldProblems(raw: Record<string, unknown>): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const warm = configSchema.shape.warmSessions.safeParse(raw.warmSessions);
  const max = configSchema.shape.maxSessions.safeParse(raw.maxSessions);
  if (warm.success && max.success && warm.data > max.data) {
    const origin = (key: string): string => (raw[key] === undefined ? ' (the default)' : '');
    problems.push({
      path: 'warmSessions',
      message:
        `is ${warm.data}${origin('warmSessions')} but maxSessions is ${max.data}${origin('maxSessions')}: ` +
        `no more sessions can be kept warm than may be lent at once. ` +
        `Set warmSessions to at most ${max.data}, or maxSessions to at least ${warm.data}.`,
    });
  }
  return problems;
}

/** The JSON Schema of the field at a path. */
function schemaAt(path: readonly PropertyKey[]): FieldSchema | undefined {
  let schema: FieldSchema | undefined = CONFIG_JSON_SCHEMA;
  for (const key of path) {
    const props: Record<string, FieldSchema> | undefined = schema?.properties;
    schema = props !== undefined && typeof key === 'string' && Object.hasOwn(props, key) ? props[key] : undefined;
  }
  return schema;
}

function valueAt(raw: unknown, path: readonly PropertyKey[]): unknown {
  let value = raw;
  for (const key of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

function dotted(path: readonly PropertyKey[]): string {
  return path.map((k) => String(k)).join('.');
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** A found value as it appeared in the file, shortened. */
function show(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value) ?? String(value);
  return text.length <= SHOWN_VALUE_MAX_CHARS ? text : `${text.slice(0, SHOWN_VALUE_MAX_CHARS - 1)}…`;
}

/** "a string", "null", "an array" … */
function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (value === undefined) return 'nothing';
  if (typeof value === 'number') return Number.isInteger(value) ? 'a whole number' : 'a number';
  if (typeof value === 'boolean') return `the boolean ${String(value)}`;
  return typeName(typeof value);
}

/** A JSON Schema or zod type name in words. */
function typeName(type: string): string {
  switch (type) {
    case 'int':
    case 'integer':
      return 'a whole number';
    case 'number':
      return 'a number';
    case 'boolean':
      return 'true or false';
    case 'string':
      return 'a string';
    case 'object':
      return 'an object';
    case 'array':
      return 'an array';
    default:
      return type;
  }
}

function sizeUnit(origin: string): string {
  switch (origin) {
    case 'string':
      return ' characters';
    case 'array':
    case 'set':
      return ' items';
    default:
      return '';
  }
}
