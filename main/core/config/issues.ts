import { z } from 'zod';
import { didYouMean } from './didYouMean.js';
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

/** Characters of a found value shown in a message. */
export const SHOWN_VALUE_MAX_CHARS = 80;

/** The part of the JSON Schema zod derives for one field that the "Allowed:" text reads. */
interface FieldDescription {
  type?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  enum?: unknown[];
  default?: unknown;
  description?: string;
  properties?: Record<string, unknown>;
  anyOf?: { type?: string }[];
}

/**
 * Checks a parsed config file with the schema (its objects are strict, so zod itself reports unknown
 * fields) and puts zod's issues in words: every problem at once, each with the value found, what is
 * allowed and, for an unknown field, the field probably meant. Then the rules that span fields.
 * Order: wrong values (in schema order), unknown fields (outer sections first), cross-field rules.
 */
export function validateConfig(raw: unknown): ConfigValidation {
  const parsed = configSchema.safeParse(raw);
  const issues = parsed.success ? [] : parsed.error.issues;
  const unknown = issues.filter((i): i is z.core.$ZodIssueUnrecognizedKeys => i.code === 'unrecognized_keys').sort((a, b) => a.path.length - b.path.length);
  const problems = [...problemsOfValues(raw, issues.filter((i) => i.code !== 'unrecognized_keys')), ...unknown.flatMap(unknownFieldProblems)];
  if (isPlainObject(raw)) problems.push(...crossFieldProblems(raw));
  if (problems.length > 0 || !parsed.success) return { ok: false, problems };
  return { ok: true, config: parsed.data };
}

/** Zod's value issues, one problem per field (a field can fail more than one check). */
function problemsOfValues(raw: unknown, issues: readonly z.core.$ZodIssue[]): ConfigProblem[] {
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
    const field = fieldAt(path);
    const allowed = field === undefined ? '' : describeAllowed(z.toJSONSchema(field, { io: 'input', unrepresentable: 'any' }) as FieldDescription);
    problems.push({ path: key, message: `found ${show(value)}: ${what}.${allowed === '' ? '' : ` Allowed: ${allowed}.`}` });
  }
  return problems;
}

/** Zod's unrecognized_keys issue: one problem per key, with "did you mean" or the known fields. */
function unknownFieldProblems(issue: z.core.$ZodIssueUnrecognizedKeys): ConfigProblem[] {
  const at = issue.path.map(String);
  const known = Object.keys(shapeOf(fieldAt(issue.path)) ?? {});
  return issue.keys.map((key) => {
    const suggestion = didYouMean(key, known, at, allFieldPaths(configSchema, []));
    const hint = suggestion === undefined ? ` Remove it; the known fields here are: ${known.join(', ')}.` : ` Did you mean "${suggestion}"?`;
    return { path: dotted([...issue.path, key]), message: `unknown field.${hint}` };
  });
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
    case 'invalid_union':
      return `it is none of the forms allowed`;
    default:
      return issue.message;
  }
}

/** What a field accepts, from the JSON Schema zod derives for it: type, range or choices, default, meaning. */
function describeAllowed(schema: FieldDescription): string {
  const parts: string[] = [];
  if (schema.enum !== undefined) parts.push(`one of ${schema.enum.map((v) => JSON.stringify(v)).join(', ')}`);
  else if (schema.anyOf !== undefined) parts.push(schema.anyOf.map((s) => typeName(s.type ?? 'a value')).join(' or '));
  else if (schema.type !== undefined) parts.push(typeName(schema.type) + rangeOf(schema));
  if (schema.default !== undefined && schema.type !== 'object') parts.push(`default ${JSON.stringify(schema.default)}`);
  if (schema.type === 'object' && schema.properties !== undefined) parts.push(`with the fields ${Object.keys(schema.properties).join(', ')}`);
  let text = parts.join(', ');
  if (schema.description !== undefined) text += ` (${schema.description})`;
  return text;
}

/** " from 40 to 1000", " at least 1", " more than 0 and at most 1"; no upper bound for safe-integer limits. */
function rangeOf(schema: FieldDescription): string {
  const max = schema.maximum !== undefined && schema.maximum < Number.MAX_SAFE_INTEGER ? schema.maximum : undefined;
  if (schema.minimum !== undefined && max !== undefined) return ` from ${schema.minimum} to ${max}`;
  const bounds: string[] = [];
  if (schema.minimum !== undefined) bounds.push(`at least ${schema.minimum}`);
  if (schema.exclusiveMinimum !== undefined) bounds.push(`more than ${schema.exclusiveMinimum}`);
  if (max !== undefined) bounds.push(`at most ${max}`);
  if (schema.exclusiveMaximum !== undefined) bounds.push(`less than ${schema.exclusiveMaximum}`);
  return bounds.length === 0 ? '' : ` ${bounds.join(' and ')}`;
}

/**
 * Rules that span fields. Each field is read as the config would hold it (its default when absent), so
 * the rule is checked even when unrelated fields are wrong; it is skipped when one side is itself wrong.
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

/** The zod schema of the field at a path through the config's sections and lists (undefined past a leaf). */
function fieldAt(path: readonly PropertyKey[]): z.ZodType | undefined {
  let field: z.ZodType | undefined = configSchema;
  for (const key of path) {
    const inner = unwrapped(field);
    if (inner instanceof z.ZodArray && typeof key === 'number') {
      field = inner.element as z.ZodType;
      continue;
    }
    const shape = shapeOf(inner);
    field = shape !== undefined && typeof key === 'string' && Object.hasOwn(shape, key) ? shape[key] : undefined;
  }
  return field;
}

/** The fields of an object schema, looking through `.default()` and `.optional()`. */
function shapeOf(field: z.ZodType | undefined): Record<string, z.ZodType> | undefined {
  const inner = unwrapped(field);
  return inner instanceof z.ZodObject ? (inner.shape as Record<string, z.ZodType>) : undefined;
}

function unwrapped(field: z.ZodType | undefined): z.ZodType | undefined {
  let inner = field;
  while (inner instanceof z.ZodDefault || inner instanceof z.ZodOptional) inner = inner.unwrap() as z.ZodType;
  return inner;
}

/** Every field path of the config, depth first. */
function allFieldPaths(field: z.ZodType, at: string[]): string[][] {
  const out: string[][] = [];
  for (const [name, child] of Object.entries(shapeOf(field) ?? {})) {
    out.push([...at, name]);
    out.push(...allFieldPaths(child, [...at, name]));
  }
  return out;
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
