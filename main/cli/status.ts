import { readFileSync } from 'node:fs';
import { readHostInfo } from '../host/hostInfo.js';
import type { CliIo } from './cliIo.js';
import { resolveHostSettings, type HostFlags } from '../host/hostSettings.js';
import { statusText, type StatusBody } from './statusText.js';

/** `poshpool status`: pool and queue state of the running host. */
export async function status(flags: HostFlags & { json?: boolean }, io: CliIo): Promise<number> {
  const settings = resolveHostSettings(flags);
  if (!settings.ok) {
    io.stderr.write(`poshpool status: ${settings.reason}\n`);
    return 1;
  }
  const running = readHostInfo(settings.dataDir);
  if (!running.ok) {
    io.stderr.write(`poshpool status: ${running.reason}\n`);
    return 1;
  }
  const info = running.info;
  let token: string;
  try {
    token = readFileSync(info.tokenFile, 'utf8').trim();
  } catch (e) {
    io.stderr.write(`poshpool status: cannot read the token file ${info.tokenFile}: ${(e as Error).message}\n`);
    return 1;
  }
  let body: StatusBody;
  try {
    const res = await fetch(info.mcpUrl.replace(/\/mcp$/, '/status'), { headers: { authorization: `Bearer ${token}` } });
    if (!res.ok) throw new Error(`HTTP ${res.status}: ${await res.text()}`);
    body = (await res.json()) as StatusBody;
  } catch (e) {
    io.stderr.write(`poshpool status: the host at ${info.mcpUrl} did not answer: ${(e as Error).message}\n`);
    return 1;
  }
  if (flags.json) {
    io.stdout.write(`${JSON.stringify(body, null, 2)}\n`);
    return 0;
  }
  io.stdout.write(statusText(body, info));
  return 0;
}
