import { readFileSync } from 'node:fs';

/** Text of the integration script that every session runs at start-up. */
export function loadIntegrationScript(): string {
  return readFileSync(new URL('./integration.ps1', import.meta.url), 'utf8');
}

/** The script as pwsh's -EncodedCommand wants it: base64 of UTF-16LE text. */
export function encodeForCommandLine(script: string): string {
  return Buffer.from(script, 'utf16le').toString('base64');
}

/** What to write to the pty to run one command: part lines (each acknowledged) and the command line. */
export interface CommandLines {
  parts: string[];
  line: string;
}

/**
 * Builds the lines that run `command` as command number `seq`. The text travels base64-encoded so
 * quotes, here-strings, backticks, `$_` and newlines arrive intact; a long text goes ahead in parts.
 */
export function buildCommandLines(command: string, seq: number, partChars: number): CommandLines {
  // A part size of 0 (or less) would never consume the text.
  if (!Number.isInteger(partChars) || partChars < 1) throw new RangeError(`partChars must be a positive integer, not ${partChars}`);
  const encoded = Buffer.from(command, 'utf8').toString('base64');
  const parts: string[] = [];
  let offset = 0;
  while (encoded.length - offset > partChars) {
    parts.push(`#poshpool-part ${encoded.slice(offset, offset + partChars)}\r`);
    offset += partChars;
  }
  const last = encoded.slice(offset);
  const line =
    `try { . (Enter-PoshpoolCommand ${seq} '${last}') | Out-Default } ` +
    `catch { Write-PoshpoolCaught $_ } finally { Exit-PoshpoolCommand ${seq} }\r`;
  return { parts, line };
}
