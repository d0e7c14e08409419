import { readFileSync } from 'node:fs';
import type { MetricsSnapshot, QueuedRequestInfo, SessionInfo } from '../../common/scheduler.js';
import { readHostInfo } from '../host/hostInfo.js';
import type { CliIo } from './cliIo.js';
import { resolveHostSettings, type HostFlags } from '../host/hostSettings.js';

interface StatusBody {
  metrics: MetricsSnapshot;
  sessions: SessionInfo[];
  queue: QueuedRequestInfo[];
}

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
  const m = body.metrics;
  const lines = [
    `poshpool host pid ${info.pid} at ${info.mcpUrl}`,
    `pool: ${m.poolState}${m.poolDegradedReason ? ` (${m.poolDegradedReason})` : ''}; sessions ${m.activeSessions}/${m.maxSessions} lent, ${m.warmSessions} warm; queue ${m.queueDepth} (sync ${m.queueDepthSync}, async ${m.queueDepthAsync})`,
    `commands: ${m.commandsRun} run, ${m.commandsFailed} failed; p50 ${m.commandDurationMs.p50 ?? '-'} ms, p95 ${m.commandDurationMs.p95 ?? '-'} ms; restarts ${m.restarts}; sessions reused ${m.sessionsReused ?? 0}, discarded ${m.sessionsDiscarded ?? 0}`,
  ];
  if (m.shell) {
    const sh = m.shell;
    const what = sh.kind === 'powershell' ? 'Windows PowerShell' : 'PowerShell';
    const facts = sh.version ? ` ${sh.version}${sh.edition ? ` (${sh.edition})` : ''}, ${sh.languageMode}, execution policy ${sh.executionPolicy}` : '';
    lines.push(`shell: ${what}${facts} at ${sh.path}`);
    for (const w of sh.warnings) lines.push(`warning: ${w}`);
  }
  for (const s of body.sessions) {
    lines.push(`  session ${s.sessionId} (${s.clientId}): ${s.state}${s.currentCommand ? ` — ${s.currentCommand.slice(0, 60)}` : ''}, ${s.commandCount} commands, cwd ${s.cwd ?? '-'}`);
  }
  for (const q of body.queue) lines.push(`  queued ${q.requestId} (${q.clientId}): ${q.priority}, position ${q.position}, ETA ${Math.round(q.etaMs / 100) / 10} s`);
  io.stdout.write(`${lines.join('\n')}\n`);
  return 0;
}
