import type { Tool } from '@modelcontextprotocol/sdk/types.js';

/**
 * The portability check of the MCP Inspector's `tools/list --strict` (@modelcontextprotocol/inspector
 * 2.12.0, core/json/schemaLint.ts: lintToolSchemas), redone here so the suite applies it to every
 * tool, plus poshpool's own rules for what every tool must declare. Same rules, severities and
 * traversal as the Inspector's:
 * - boolean-schema (error): a bare `true`/`false` where a schema object is expected;
 * - type-union (warning): `type` given as an array, e.g. `["number","null"]`;
 * - remote-ref (warning): a `$ref` outside the document (unless the schema declares `$id`s);
 * - untyped-schema (warning): a schema with no validation keyword at all (accepts anything).
 * poshpool's own (errors): a tool without a title, an output schema, or one of the four annotation
 * hints; a union (`anyOf`/`oneOf`/`allOf`) in an input schema, which models see as function
 * parameters (Cursor's gateway refuses them: code-yeongyu/senpi#952; Gemini tolerates `anyOf` at
 * leaves only: sbroenne/mcp-server-excel#674).
 */

/** One problem found. */
export interface SchemaFinding {
  rule: 'boolean-schema' | 'type-union' | 'remote-ref' | 'untyped-schema' | 'no-title' | 'no-output-schema' | 'annotation-missing' | 'input-union';
  severity: 'error' | 'warning';
  /** inputSchema, outputSchema, or the tool itself. */
  schema: 'inputSchema' | 'outputSchema' | 'tool';
  /** Where in the schema, e.g. `properties.exitCode` (empty: the root). */
  path: string;
  issue: string;
}

/** Keywords whose value may be a bare boolean (the Inspector's BOOLEAN_VALUED_KEYWORDS). */
const BOOLEAN_VALUED = new Set(['additionalProperties', 'unevaluatedProperties', 'additionalItems', 'unevaluatedItems']);
/** Keywords holding one subschema. */
const SUBSCHEMA = ['items', 'contains', 'not', 'propertyNames', 'if', 'then', 'else', 'additionalProperties', 'unevaluatedProperties', 'additionalItems', 'unevaluatedItems', 'contentSchema'];
/** Keywords holding an array of subschemas. */
const SUBSCHEMA_ARRAY = ['allOf', 'anyOf', 'oneOf', 'prefixItems'];
/** Keywords holding a map of subschemas. */
const SUBSCHEMA_MAP = ['properties', 'patternProperties', 'dependentSchemas', 'dependencies', '$defs', 'definitions'];
/** Keywords that constrain an instance (`if` counts only with `then` or `else`). */
const CONSTRAINING = new Set([
  'type', 'enum', 'const', 'multipleOf', 'maximum', 'exclusiveMaximum', 'minimum', 'exclusiveMinimum', 'maxLength', 'minLength', 'pattern', 'format',
  'contentMediaType', 'contentEncoding', 'contentSchema', 'maxItems', 'minItems', 'uniqueItems', 'maxContains', 'minContains', 'maxProperties', 'minProperties',
  'required', 'dependentRequired', 'allOf', 'anyOf', 'oneOf', 'not', 'items', 'prefixItems', 'contains', 'additionalItems', 'unevaluatedItems', 'properties',
  'patternProperties', 'additionalProperties', 'unevaluatedProperties', 'propertyNames', 'dependentSchemas', 'dependencies', '$ref', '$dynamicRef', '$recursiveRef',
]);
const JSON_TYPES = new Set(['null', 'boolean', 'object', 'array', 'number', 'string', 'integer']);
/** How deep the walk goes (the Inspector's MAX_DEPTH). */
const MAX_DEPTH = 64;

type Node = Record<string, unknown>;

function isNode(value: unknown): value is Node {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function child(parent: string, key: string): string {
  if (/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(key)) return parent === '' ? key : `${parent}.${key}`;
  return `${parent}[${JSON.stringify(key)}]`;
}

function eachSubschema(node: Node, path: string, visit: (sub: unknown, path: string, keyword: string) => void): void {
  for (const key of SUBSCHEMA_MAP) {
    const map = node[key];
    if (isNode(map)) for (const [name, sub] of Object.entries(map)) visit(sub, child(child(path, key), name), key);
  }
  for (const key of SUBSCHEMA_ARRAY) {
    const list = node[key];
    if (Array.isArray(list)) list.forEach((sub, i) => visit(sub, `${child(path, key)}[${i}]`, key));
  }
  for (const key of SUBSCHEMA) {
    if (!(key in node)) continue;
    const value = node[key];
    if (key === 'items' && Array.isArray(value)) value.forEach((sub, i) => visit(sub, `${child(path, key)}[${i}]`, key));
    else visit(value, child(path, key), key);
  }
}

function declaresId(node: unknown, depth = 0): boolean {
  if (depth > MAX_DEPTH || !isNode(node)) return false;
  if (typeof node.$id === 'string' && node.$id !== '') return true;
  let found = false;
  eachSubschema(node, '', (sub) => (found ||= declaresId(sub, depth + 1)));
  return found;
}

function isPortableTypeUnion(type: unknown[]): boolean {
  return type.length > 0 && type.every((t) => typeof t === 'string' && JSON_TYPES.has(t)) && new Set(type).size === type.length;
}

/** The Inspector's findings for one schema (inputSchema or outputSchema of a tool). */
export function lintSchema(schema: unknown, kind: 'inputSchema' | 'outputSchema'): SchemaFinding[] {
  const findings: SchemaFinding[] = [];
  const embeddedIds = declaresId(schema);
  const add = (rule: SchemaFinding['rule'], severity: SchemaFinding['severity'], path: string, issue: string): void =>
    void findings.push({ rule, severity, schema: kind, path, issue });
  const walk = (node: unknown, path: string, keyword: string | undefined, depth: number): void => {
    if (depth > MAX_DEPTH) return;
    if (typeof node === 'boolean') {
      if (keyword === undefined || !BOOLEAN_VALUED.has(keyword)) add('boolean-schema', 'error', path, `bare \`${String(node)}\` where a schema object is expected`);
      return;
    }
    if (!isNode(node)) return;
    if (Array.isArray(node.type) && isPortableTypeUnion(node.type)) add('type-union', 'warning', path, `\`type\` is an array (${JSON.stringify(node.type)}): use anyOf of single types`);
    if (typeof node.$ref === 'string' && node.$ref !== '' && !node.$ref.startsWith('#') && !embeddedIds) add('remote-ref', 'warning', path, `\`$ref\` points outside the document (${node.$ref})`);
    const constrains = Object.keys(node).some((k) => CONSTRAINING.has(k)) || ('if' in node && ('then' in node || 'else' in node));
    if (!constrains && keyword !== 'not') add('untyped-schema', 'warning', path, 'no validation keyword: it accepts any value');
    eachSubschema(node, path, (sub, subPath, subKeyword) => walk(sub, subPath, subKeyword, depth + 1));
  };
  walk(schema, '', undefined, 0);
  return findings;
}

/** Where an input schema uses a union keyword. */
function inputUnions(schema: unknown, path = '', depth = 0): SchemaFinding[] {
  if (depth > MAX_DEPTH || !isNode(schema)) return [];
  const found: SchemaFinding[] = ['anyOf', 'oneOf', 'allOf']
    .filter((k) => k in schema)
    .map((k) => ({ rule: 'input-union', severity: 'error', schema: 'inputSchema', path, issue: `\`${k}\` in an input schema: models get it as function parameters, and some providers refuse unions there` }));
  eachSubschema(schema, path, (sub, subPath) => found.push(...inputUnions(sub, subPath, depth + 1)));
  return found;
}

/** The four hints every tool states (a client assumes the worst of one left out). */
const HINTS = ['readOnlyHint', 'destructiveHint', 'idempotentHint', 'openWorldHint'] as const;

/** Every finding for one tool as `tools/list` gives it: the Inspector's, then poshpool's own. */
export function lintTool(tool: Tool): SchemaFinding[] {
  const findings = [...lintSchema(tool.inputSchema, 'inputSchema'), ...inputUnions(tool.inputSchema)];
  if (tool.outputSchema === undefined) findings.push({ rule: 'no-output-schema', severity: 'error', schema: 'tool', path: '', issue: 'no outputSchema' });
  else findings.push(...lintSchema(tool.outputSchema, 'outputSchema'));
  if (!tool.title) findings.push({ rule: 'no-title', severity: 'error', schema: 'tool', path: '', issue: 'no title' });
  for (const hint of HINTS) {
    if (typeof tool.annotations?.[hint] !== 'boolean') findings.push({ rule: 'annotation-missing', severity: 'error', schema: 'tool', path: `annotations.${hint}`, issue: `${hint} is not stated` });
  }
  return findings;
}

/** One line per finding, for a test failure message. */
export function formatFindings(results: { tool: string; findings: SchemaFinding[] }[]): string {
  return results.flatMap(({ tool, findings }) => findings.map((f) => `${f.severity} ${f.rule}: tool "${tool}" ${f.schema}${f.path ? `.${f.path}` : ''}: ${f.issue}`)).join('\n');
}
