import type { ResolvedShell } from './discovery.js';

/**
 * Longest line (without its line end) each PowerShell reads from the console in one piece.
 * pwsh 7 runs on .NET, whose console read buffer has been 4096 characters since .NET Core 3.0
 * (dotnet/corefx#36212). Windows PowerShell 5.1 runs on .NET Framework, whose Console.In reads
 * through a 256-character buffer: a longer line is cut at 254 characters (dotnet/corefx#36188; the
 * .NET Framework docs of Console.ReadLine say the same).
 */
export const MAX_LINE_CHARS: Readonly<Record<ResolvedShell['kind'], number>> = { pwsh: 4000, powershell: 250 };

const PART_PREFIX = '#poshpool-part ';
const RUN_PREFIX = '#poshpool-run ';
/** After the sequence number: poshpool's own command, which the session leaves out of its history. */
const HIDDEN_MARK = '~';

/**
 * What to write to the pty to run one command: part lines (each acknowledged; only for a command
 * longer than one line) and the run line. PSConsoleHostReadLine (integration.ps1) turns the run line
 * into one fixed line for the host, so pwsh compiles that line once and echoes only this short one.
 */
export interface CommandLines {
  parts: string[];
  line: string;
}

/**
 * Builds the lines that run `command` as command number `seq`. The text travels base64-encoded so
 * quotes, here-strings, backticks, `$_` and newlines arrive intact; a long text goes ahead in parts.
 * No line is longer than `maxLineChars` (the shell's console read limit), nor a part's text longer
 * than `partChars`. `hidden`: poshpool's own command (a Set-Location, an approval summary), left out of
 * the session's history so an agent's `Get-History` shows its own commands only.
 */
export function buildCommandLines(command: string, seq: number, partChars: number, maxLineChars = MAX_LINE_CHARS.pwsh, hidden = false): CommandLines {
  // A part size of 0 (or less) would never consume the text.
  if (!Number.isInteger(partChars) || partChars < 1) throw new RangeError(`partChars must be a positive integer, not ${partChars}`);
  if (!Number.isSafeInteger(seq) || seq < 0) throw new RangeError(`seq must be a non-negative integer, not ${seq}`);
  const runPrefix = `${RUN_PREFIX}${seq}${hidden ? HIDDEN_MARK : ''} `;
  const partRoom = Math.min(partChars, maxLineChars - PART_PREFIX.length);
  const lineRoom = Math.min(partChars, maxLineChars - runPrefix.length);
  if (partRoom < 4 || lineRoom < 4) throw new RangeError(`lines of ${maxLineChars} characters leave no room for a command`);
  const encoded = Buffer.from(command, 'utf8').toString('base64');
  const parts: string[] = [];
  let offset = 0;
  while (encoded.length - offset > lineRoom) {
    parts.push(`${PART_PREFIX}${encoded.slice(offset, offset + partRoom)}\r`);
    offset += partRoom;
  }
  return { parts, line: `${runPrefix}${encoded.slice(offset)}\r` };
}
