import { z } from 'zod';

/** Marker kinds the integration script emits. */
export type MarkerKind = 'ready' | 'start' | 'end' | 'part' | 'rec';

/** One marker as parsed from `ESC ] <osc> ; <nonce> ; <seq> ; <kind> ; <payload> BEL`. */
export interface Marker {
  nonce: string;
  seq: number;
  kind: MarkerKind;
  payload: string;
}

const KINDS: ReadonlySet<string> = new Set<MarkerKind>(['ready', 'start', 'end', 'part', 'rec']);

/** Parses the data of an OSC sequence (everything after `<osc>;`). Returns undefined when malformed. */
export function parseMarker(data: string): Marker | undefined {
  const parts = data.split(';');
  if (parts.length < 4) return undefined;
  const [nonce, seqText, kind] = parts as [string, string, string];
  const payload = parts.slice(3).join(';');
  if (!/^\d{1,9}$/.test(seqText) || !KINDS.has(kind)) return undefined;
  return { nonce, seq: Number(seqText), kind: kind as MarkerKind, payload };
}

/** What the first prompt of a session says about its PowerShell. */
export interface ShellFacts {
  version: string;
  /** Core (pwsh 7) or Desktop (Windows PowerShell 5.1). */
  edition: string;
  /** FullLanguage, or a restricted mode an application control policy set. */
  languageMode: string;
  /** The effective execution policy. */
  executionPolicy: string;
}

/** A ready marker's payload: `<nested level>,<pid>[,<version>,<edition>,<language mode>,<execution policy>]`. */
export interface ReadyInfo {
  nested: number;
  pid: number | undefined;
  facts?: ShellFacts;
}

/** Parses a ready marker's payload. */
export function parseReadyPayload(payload: string): ReadyInfo {
  const [nested, pid, version, edition, languageMode, executionPolicy] = payload.split(',');
  const pidNumber = Number(pid);
  const info: ReadyInfo = { nested: Number(nested) || 0, pid: Number.isInteger(pidNumber) && pidNumber > 0 ? pidNumber : undefined };
  if (version !== undefined) info.facts = { version, edition: edition ?? '', languageMode: languageMode ?? '', executionPolicy: executionPolicy ?? '' };
  return info;
}

/** The end marker's payload when the end record went through end-<seq>.json instead. */
export const END_RECORD_IN_FILE = '@';

/** The end marker's payload when the end record came ahead in `rec` markers (a session on another host: no shared directory). */
export const END_RECORD_IN_PIECES = '+';

/** File name of a command's end record in the session's private dir (when too long for a marker). */
export function endRecordFileName(seq: number): string {
  return `end-${seq}.json`;
}

const errorSchema = z.object({
  message: z.string().default(''),
  fullyQualifiedErrorId: z.string().default(''),
  category: z.string().default(''),
  exceptionType: z.string().default(''),
  targetName: z.string().default(''),
  position: z.string().default(''),
  scriptStackTrace: z.string().default(''),
});

const endSchema = z.object({
  success: z.boolean(),
  exitCode: z.number().int(),
  nativeRan: z.boolean(),
  errorCount: z.number().int().min(0),
  // ConvertTo-Json in Windows PowerShell turns a one-element array into an object; accept both.
  errors: z.union([z.array(errorSchema), errorSchema.transform((e) => [e])]).default([]),
  cwd: z.string(),
  exited: z.boolean(),
});

/** What pwsh reports at the end of a command. */
export type EndReport = z.infer<typeof endSchema>;

export type DecodeResult = { ok: true; report: EndReport } | { ok: false; reason: string };

/** Decodes the base64 JSON payload of an end marker. */
export function decodeEndPayload(payload: string): DecodeResult {
  return decodeEndRecord(Buffer.from(payload, 'base64').toString('utf8'), 'end marker payload is not base64 JSON');
}

/** Decodes an end record's JSON text (from a marker or from end-<seq>.json). */
export function decodeEndRecord(text: string, what = 'end record is not JSON'): DecodeResult {
  let json: unknown;
  try {
    json = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (e) {
    return { ok: false, reason: `${what}: ${(e as Error).message}` };
  }
  const parsed = endSchema.safeParse(json);
  if (!parsed.success) return { ok: false, reason: `end marker payload has an unexpected shape: ${parsed.error.message}` };
  return { ok: true, report: parsed.data };
}
