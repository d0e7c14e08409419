import { appendFileSync, mkdirSync, renameSync, statSync } from 'node:fs';
import path from 'node:path';

/**
 * The tray app's log file (the host process's lines and the app's own), in the log folder beside
 * the audit log. Rotated by size, one old file kept. A write that fails goes to stderr instead:
 * logging must never take the app down.
 */
export class AppLog {
  private size: number;

  constructor(
    readonly file: string,
    private readonly maxBytes = 5 * 1024 * 1024,
    private readonly now: () => Date = () => new Date(),
  ) {
    mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    try {
      this.size = statSync(file).size;
    } catch {
      // No log yet.
      this.size = 0;
    }
  }

  write(line: string): void {
    const text = `${this.now().toISOString()} ${line.replace(/\n+$/, '')}\n`;
    try {
      const bytes = Buffer.byteLength(text);
      if (this.size > 0 && this.size + bytes > this.maxBytes) {
        renameSync(this.file, `${this.file}.1`);
        this.size = 0;
      }
      appendFileSync(this.file, text, { mode: 0o600 });
      this.size += bytes;
    } catch (e) {
      process.stderr.write(`poshpool: cannot write ${this.file} (${(e as Error).message}): ${text}`);
    }
  }
}
