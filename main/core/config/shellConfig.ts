import { z } from 'zod';

/**
 * Settings of the shell engine. Every timing and limit the engine uses lives here with its default,
 * so nothing in main/core/shell is a bare literal.
 */
export const shellConfigSchema = z.strictObject({
  /** Path or command name of pwsh (or powershell.exe). Empty: discover pwsh on PATH, then powershell.exe on Windows. */
  path: z.string().default('').describe('Path to pwsh or powershell.exe; empty to discover it'),
  /** Load the user's PowerShell profile in each session (slower start, less predictable). */
  loadProfile: z.boolean().default(false).describe("Load the user's PowerShell profile"),
  /** Terminal width in columns: wide, so tables and long lines are not wrapped by pwsh. */
  cols: z.number().int().min(40).max(1000).default(200).describe('Terminal columns'),
  /** Terminal height in rows. */
  rows: z.number().int().min(10).max(500).default(50).describe('Terminal rows'),
  /** Rows the virtual terminal keeps above the screen; output is harvested from there as it scrolls. */
  scrollbackRows: z.number().int().min(1000).max(100000).default(4000).describe('Terminal scrollback rows'),
  /** How long pwsh may take to start and show its first prompt. */
  startTimeoutMs: z.number().int().positive().default(30000).describe('Start-up time limit (ms)'),
  /** Default time limit of one command; 0 means none. */
  commandTimeoutMs: z.number().int().min(0).default(0).describe('Default command time limit (ms); 0 = none'),
  /** After Ctrl+C, how long to wait for the prompt before killing the processes the command started. */
  cancelGraceMs: z.number().int().positive().default(1000).describe('Wait after Ctrl+C before killing child processes (ms)'),
  /** Interval at which Ctrl+C is repeated while a cancel is under way. */
  interruptRepeatMs: z.number().int().positive().default(200).describe('Ctrl+C repeat interval (ms)'),
  /** After killing the child processes, how long to wait for the prompt before killing pwsh itself. */
  killGraceMs: z.number().int().positive().default(1000).describe('Wait after killing children before killing pwsh (ms)'),
  /** Output silence after which a command that looks like it reads input is reported as waiting for input. */
  inputIdleMs: z.number().int().positive().default(400).describe('Silence before a command counts as waiting for input (ms)'),
  /** Output kept in a result; beyond it the result keeps head and tail and the whole is spilled to the output store. */
  outputCapBytes: z.number().int().min(1024).default(65536).describe('Output kept inline in a result (bytes)'),
  /** Error records reported per command (the newest ones). */
  maxErrors: z.number().int().min(1).max(200).default(20).describe('Error records reported per command'),
  /** Characters kept of each field of an error record. */
  maxErrorChars: z.number().int().min(100).default(2000).describe('Characters kept per error field'),
  /** Longest command accepted, in characters. */
  maxCommandChars: z.number().int().positive().default(1_000_000).describe('Longest command accepted (characters)'),
  /** Base64 characters per line when a long command is sent to pwsh in parts. */
  commandPartChars: z.number().int().min(256).max(3500).default(3000).describe('Base64 characters per part line'),
  /** Longest text accepted by sendInput in one call (the pty's input buffer must never fill). */
  maxInputChars: z.number().int().min(1).max(3500).default(2000).describe('Longest input text per send (characters)'),
  /** Output read from the pty but not yet rendered, beyond which reading pauses until rendering catches up. */
  maxRenderBacklogChars: z.number().int().min(65536).default(4_000_000).describe('Pty output waiting to be rendered before reading pauses (characters)'),
  /**
   * Longest marker (OSC sequence) sent inline; a longer end record goes through a file in the
   * session's private dir. Windows 10's conhost drops OSC sequences over 256 characters
   * (microsoft/terminal#15551).
   */
  maxMarkerChars: z.number().int().min(96).max(4096).default(240).describe('Longest marker sent inline (characters)'),
  /**
   * After a command's end marker, how long to wait for its output to be painted (its end fence)
   * before returning what has arrived. ConPTY paints text on its next frame, after the marker.
   */
  settleTimeoutMs: z.number().int().min(10).default(2000).describe('Wait for output to settle after a command ends (ms)'),
  /** Time limit of the reset that makes a returned session fit for the next client (reset.ps1); over it the session is ended instead. */
  resetTimeoutMs: z.number().int().min(100).default(10000).describe('Time limit of the reset between two leases (ms)'),
  /** Working directory of new sessions; empty: the user's home directory (never the app's own, e.g. System32 at login). */
  cwd: z.string().default('').describe("Working directory of new sessions; empty for the user's home"),
  /** Private OSC number of the markers. */
  oscNumber: z.number().int().min(1000).max(65535).default(7717).describe('Private OSC number of the markers'),
});

export type ShellConfig = z.infer<typeof shellConfigSchema>;

/** The defaults, for callers that configure nothing. */
export function defaultShellConfig(overrides: Partial<ShellConfig> = {}): ShellConfig {
  return shellConfigSchema.parse(overrides);
}
