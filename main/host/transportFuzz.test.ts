import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import type net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requirePwsh } from '../../test/pwsh.js';
import { connectToHost } from '../cli/bridge.js';
import { defaultConfig } from '../core/config/schema.js';
import { Host } from './Host.js';
import { checkIncoming, readableId } from './socket/jsonRpcIncoming.js';
import { mulberry32 } from '../core/scheduler/etaSimulation.js';

// Hostile input on BOTH transports of a real host (real pwsh behind it): JSON-RPC batches, 100k-level
// nesting, and ~300 random mutations of valid requests (fixed seed, so a failure replays). Over HTTP
// every POST gets a status below 500 (no 5xx is documented for /mcp input: 503 only while shutting
// down); over the socket every line that is owed an answer gets it (no hang); nothing crashes, the
// host logs no failure and still serves a command afterwards.

const SEED = 14;
const MUTATIONS = 300;
const ANSWER_TIMEOUT_MS = 20_000;

let dir: string;
let host: Host;
let token: string;
const logs: string[] = [];


const templates = (id: string): Record<string, unknown>[] => [
  { jsonrpc: '2.0', id, method: 'ping' },
  { jsonrpc: '2.0', id, method: 'tools/list', params: {} },
  { jsonrpc: '2.0', id, method: 'resources/list', params: {} },
  { jsonrpc: '2.0', id, method: 'tools/call', params: { name: 'list_sessions', arguments: {} } },
  { jsonrpc: '2.0', id, method: 'tools/call', params: { name: 'get_metrics', arguments: {} } },
  { jsonrpc: '2.0', id, method: 'tools/call', params: { name: 'run_command', arguments: { command: '1+1', timeoutSeconds: 10 } } },
  { jsonrpc: '2.0', method: 'notifications/progress', params: { progressToken: 1, progress: 1 } },
];

function nested(depth: number, leaf: string): string {
  return '['.repeat(depth) + leaf + ']'.repeat(depth);
}

/** One mutated request as text (never with a raw newline: that would be two lines on the socket). */
function mutate(rand: () => number, base: Record<string, unknown>): string {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const weird: unknown[] = [null, 0, -1, 1.5, 2 ** 53, '', 'x'.repeat(100_000), [], {}, true, '\u0000', '\ud800', { $ref: '#' }, [[[[[1]]]]]];
  const clone = JSON.parse(JSON.stringify(base)) as Record<string, unknown>;
  // A random object inside the message (the message itself or one of its nested objects).
  const objects: Record<string, unknown>[] = [];
  const walk = (v: unknown): void => {
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      objects.push(v as Record<string, unknown>);
      for (const x of Object.values(v)) walk(x);
    }
  };
  walk(clone);
  const target = pick(objects);
  const keys = Object.keys(target);
  switch (Math.floor(rand() * 9)) {
    case 0:
      if (keys.length > 0) delete target[pick(keys)];
      break;
    case 1:
      target[keys.length > 0 && rand() < 0.8 ? pick(keys) : `k${Math.floor(rand() * 100)}`] = pick(weird);
      break;
    case 2: {
      const text = JSON.stringify(clone);
      return text.slice(0, Math.floor(rand() * text.length));
    }
    case 3: {
      const text = JSON.stringify(clone);
      const at = Math.floor(rand() * text.length);
      return text.slice(0, at) + pick(['\u0000', '"', '{', ']', ',', '\\', '\ud800', '\u2028', 'é', ' ', '\r']) + text.slice(at);
    }
    case 4:
      return JSON.stringify(rand() < 0.5 ? [clone] : [clone, { ...clone, id: `${String(clone.id)}-b` }, { jsonrpc: '2.0', method: 'notifications/x' }]);
    case 5:
      clone.jsonrpc = pick(['1.0', 2, null, '2.0 ']);
      break;
    case 6:
      clone.id = pick(weird);
      break;
    case 7:
      target[keys.length > 0 ? pick(keys) : 'deep'] = JSON.parse(nested(1000, '1'));
      break;
    default:
      clone.method = pick(['', 'tools/cal', 'x'.repeat(5000), 'notifications/cancelled', 'initialize', 'rpc.discover', '$/cancel']);
  }
  return JSON.stringify(clone);
}

/** The fixed list of hostile inputs: batches, deep nesting, then the seeded mutations. */
function cases(): string[] {
  const rand = mulberry32(SEED);
  const out = [
    JSON.stringify([
      { jsonrpc: '2.0', id: 'batch-1', method: 'ping' },
      { jsonrpc: '2.0', id: 'batch-2', method: 'tools/list' },
      { jsonrpc: '2.0', method: 'notifications/x' },
    ]),
    'null',
    '[]',
    JSON.stringify(Array.from({ length: 101 }, (_, i) => ({ jsonrpc: '2.0', id: `many-${i}`, method: 'ping' }))),
    nested(100_000, ''),
    '{"a":'.repeat(100_000) + '1' + '}'.repeat(100_000),
    `{"jsonrpc":"2.0","id":"deep","method":"tools/call","params":{"name":"run_command","arguments":{"command":${nested(100_000, '"x"')}}}}`,
    `{"jsonrpc":"2.0","id":"deep-meta","method":"ping","params":{"_meta":${'{"a":'.repeat(100_000)}1${'}'.repeat(100_000)}}}`,
  ];
  for (let i = 0; i < MUTATIONS; i++) {
    const bases = templates(`m${i}`);
    out.push(mutate(rand, bases[Math.floor(rand() * bases.length)]!));
  }
  return out;
}

/** What answer a line is owed: the id of it, or 'none' (a notification, a response, a batch of those). */
function owed(text: string): string | number | null | 'none' {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return text.trim() === '' ? 'none' : null;
  }
  const checked = checkIncoming(value);
  if (!checked.ok) return checked.id;
  const requests = checked.messages.filter((m) => 'method' in m && 'id' in m) as Array<{ id: string | number }>;
  if (requests.length === 0) return 'none';
  return checked.batch ? `batch:${JSON.stringify(requests[0]!.id)}` : requests[0]!.id;
}

function post(body: string, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  const url = new URL(host.info.mcpUrl);
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: url.port, path: '/mcp', method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers }, timeout: ANSWER_TIMEOUT_MS }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${ANSWER_TIMEOUT_MS} ms to: ${body.slice(0, 200)}`)));
    req.on('error', reject);
    req.end(body);
  });
}

const initialize = (id: string): string => JSON.stringify({ jsonrpc: '2.0', id, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'fuzz', version: '1' } } });

beforeAll(async () => {
  requirePwsh();
  dir = mkdtempSync(path.join(tmpdir(), 'pp-fuzz-'));
  const started = await Host.start({ config: defaultConfig({ warmSessions: 1, maxSessions: 2 }), dataDir: path.join(dir, 'data'), port: 0, cwd: dir, log: (l) => void logs.push(l) });
  if (!started.ok) throw new Error(started.reason);
  host = started.host;
  token = readFileSync(host.info.tokenFile, 'utf8').trim();
});
afterAll(async () => {
  await host?.dispose();
  rmSync(dir, { recursive: true, force: true });
});

describe('hostile input on both transports (seed 14)', () => {
  it('HTTP: an unknown MCP session id is 404; every hostile POST is answered below 500; the host still serves after', async () => {
    expect((await post(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping' }), { 'mcp-session-id': '00000000-0000-4000-8000-000000000000' })).status).toBe(404);
    const first = await new Promise<string>((resolve, reject) => {
      const url = new URL(host.info.mcpUrl);
      const req = request({ host: '127.0.0.1', port: url.port, path: '/mcp', method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream' } }, (res) => {
        res.resume();
        resolve(String(res.headers['mcp-session-id']));
      });
      req.on('error', reject);
      req.end(initialize('init'));
    });
    const h = { 'mcp-session-id': first, 'mcp-protocol-version': '2025-06-18' };
    await post(JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }), h);
    const statuses = new Map<number, number>();
    for (const body of cases()) {
      const r = await post(body, h);
      statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
      expect(r.status, body.slice(0, 200)).toBeLessThan(500);
    }
    expect([...statuses.keys()].every((s) => [200, 202, 400, 413].includes(s))).toBe(true);
    const after = await post(JSON.stringify({ jsonrpc: '2.0', id: 'after', method: 'tools/call', params: { name: 'run_command', arguments: { command: "'still here'" } } }), h);
    expect(JSON.parse(after.body)).toMatchObject({ id: 'after', result: { structuredContent: { output: 'still here' } } });
    expect(logs.filter((l) => /fail|error/i.test(l))).toEqual([]);
  });

  it('socket (what the bridge relays): every line owed an answer gets it; the host still serves after', async () => {
    const connected = await connectToHost({ socketPath: host.info.socketPath, token });
    if (!connected.ok) throw new Error(connected.reason);
    const socket: net.Socket = connected.socket;
    const answers: unknown[] = [];
    let buffered = connected.rest.toString('utf8');
    let wake: () => void = () => undefined;
    socket.setEncoding('utf8');
    socket.on('data', (d: string) => {
      buffered += d;
      for (let nl = buffered.indexOf('\n'); nl !== -1; nl = buffered.indexOf('\n')) {
        answers.push(JSON.parse(buffered.slice(0, nl)));
        buffered = buffered.slice(nl + 1);
      }
      wake();
    });
    socket.resume();
    /** Waits for (and takes) the answer a line is owed. */
    const take = async (want: string | number | null, line: string): Promise<unknown> => {
      const matches = (a: unknown): boolean =>
        typeof want === 'string' && want.startsWith('batch:') ? Array.isArray(a) && JSON.stringify(readableId(a[0])) === want.slice(6) : !Array.isArray(a) && readableId(a) === want && (want !== null || (a as { error?: unknown }).error !== undefined);
      const deadline = Date.now() + ANSWER_TIMEOUT_MS;
      for (;;) {
        const i = answers.findIndex(matches);
        if (i !== -1) return answers.splice(i, 1)[0];
        if (Date.now() > deadline) throw new Error(`no answer (${JSON.stringify(want)}) within ${ANSWER_TIMEOUT_MS} ms to: ${line.slice(0, 200)}`);
        await new Promise<void>((r) => {
          wake = r;
          setTimeout(r, 100);
        });
      }
    };
    socket.write(`${initialize('init')}\n`);
    await take('init', 'initialize');
    socket.write('{"jsonrpc":"2.0","method":"notifications/initialized"}\n');
    let answered = 0;
    for (const line of cases()) {
      const want = owed(line);
      socket.write(`${line}\n`);
      if (want === 'none') continue;
      await take(want, line);
      answered++;
    }
    expect(answered).toBeGreaterThan(200);
    socket.write(`${JSON.stringify({ jsonrpc: '2.0', id: 'after', method: 'tools/call', params: { name: 'run_command', arguments: { command: "'still here'" } } })}\n`);
    expect(await take('after', 'after')).toMatchObject({ result: { structuredContent: { output: 'still here' } } });
    socket.destroy();
    expect(logs.filter((l) => /fail|error/i.test(l))).toEqual([]);
  });
});
