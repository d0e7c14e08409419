import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { currentPlatform, type Platform } from '../core/platform/Platform.js';
import { readHostInfo } from '../host/hostInfo.js';
import type { CliIo } from './cliIo.js';
import { resolveHostSettings, type HostFlags } from '../host/hostSettings.js';

/** The command that opens a URL in the default browser: the platform's (cmd start, open, xdg-open). */
export function browserCommand(url: string, platform: Pick<Platform, 'browserCommand'>): { file: string; args: string[] } {
  return platform.browserCommand(url);
}

/** `poshpool open [--print]`: mints a one-time sign-in link to the dashboard and opens (or prints) it. */
export async function open(flags: HostFlags & { print?: boolean }, io: CliIo, platform: Platform = currentPlatform()): Promise<number> {
  const settings = resolveHostSettings(flags, platform);
  if (!settings.ok) {
    io.stderr.write(`poshpool open: ${settings.reason}\n`);
    return 1;
  }
  const running = readHostInfo(settings.dataDir, { platform });
  if (!running.ok) {
    io.stderr.write(`poshpool open: ${running.reason}\n`);
    return 1;
  }
  let url: string;
  try {
    const token = readFileSync(running.info.tokenFile, 'utf8').trim();
    const res = await fetch(running.info.mcpUrl.replace(/\/mcp$/, '/api/codes'), { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: '{}' });
    const body = (await res.json()) as { ok: boolean; url?: string; reason?: string };
    if (!res.ok || !body.ok || !body.url) throw new Error(body.reason ?? `HTTP ${res.status}`);
    url = body.url;
  } catch (e) {
    io.stderr.write(`poshpool open: the host did not give a sign-in link: ${(e as Error).message}\n`);
    return 1;
  }
  if (flags.print) {
    io.stdout.write(`${url}\n(the link works once, within a minute)\n`);
    return 0;
  }
  const cmd = browserCommand(url, platform);
  const child = spawn(cmd.file, cmd.args, { stdio: 'ignore', detached: true, windowsHide: true });
  child.on('error', () => io.stderr.write(`poshpool open: could not start a browser; open this link (it works once, within a minute):\n${url}\n`));
  child.unref();
  io.stdout.write('poshpool: opening the dashboard in your browser.\n');
  return 0;
}
