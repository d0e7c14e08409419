/**
 * One soak client: a real MCP SDK client over Streamable HTTP or over a real `poshpool bridge`
 * process (stdio), whose every tool call is recorded with how it ended (soakVerdict's Outcome).
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ErrorCode, McpError, type CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { errorKind, type CallRecord } from './soakVerdict.js';

export type TransportKind = 'http' | 'bridge';

/** Where clients connect. */
export interface SoakEndpoint {
  mcpUrl: string;
  token: string;
  /** node and bin/poshpool.js, to start a bridge. */
  node: string;
  bin: string;
  dataDir: string;
  /** Environment of a bridge process (carries the run's tag). */
  bridgeEnv: Record<string, string>;
}

/** A connected client and what it takes to leave politely or vanish. */
export class SoakClient {
  /** Set when this client left or vanished on purpose: calls failing after it are not lost. */
  private gone = false;
  private readonly inFlight = new Set<Promise<unknown>>();

  private constructor(
    readonly name: string,
    readonly kind: TransportKind,
    private readonly client: Client,
    private readonly http: StreamableHTTPClientTransport | undefined,
    private readonly stdio: StdioClientTransport | undefined,
    private readonly record: (r: CallRecord) => void,
    private readonly callTimeoutMs: number,
  ) {}

  /** Connects a new client of the given kind. */
  static async connect(kind: TransportKind, name: string, endpoint: SoakEndpoint, record: (r: CallRecord) => void, callTimeoutMs: number): Promise<SoakClient> {
    const client = new Client({ name, version: '1.0.0' });
    if (kind === 'http') {
      const transport = new StreamableHTTPClientTransport(new URL(endpoint.mcpUrl), { requestInit: { headers: { Authorization: `Bearer ${endpoint.token}` } } });
      await client.connect(transport, { timeout: callTimeoutMs });
      return new SoakClient(name, kind, client, transport, undefined, record, callTimeoutMs);
    }
    const transport = new StdioClientTransport({
      command: endpoint.node,
      args: [endpoint.bin, 'bridge', '--data-dir', endpoint.dataDir],
      env: endpoint.bridgeEnv,
      stderr: 'ignore',
    });
    await client.connect(transport, { timeout: callTimeoutMs });
    return new SoakClient(name, kind, client, undefined, transport, record, callTimeoutMs);
  }

  /**
   * Calls a tool and records how it ended. Returns the result, or undefined when there was none
   * (aborted, vanished, lost, JSON-RPC error).
   */
  async call(tool: string, args: Record<string, unknown>, signal?: AbortSignal): Promise<CallToolResult | undefined> {
    const t0 = Date.now();
    const done = (r: Omit<CallRecord, 'tool' | 'ms' | 'client'>): void => this.record({ tool, ms: Date.now() - t0, client: this.name, ...r });
    const p = this.client.callTool({ name: tool, arguments: args }, undefined, { signal, timeout: this.callTimeoutMs });
    this.inFlight.add(p);
    try {
      const r = (await p) as CallToolResult;
      const status = tool === 'run_command' && !r.isError ? (r.structuredContent as { status?: string } | undefined)?.status : undefined;
      if (r.isError) done({ outcome: 'toolError', kind: errorKind(textOf(r)) });
      else done({ outcome: 'result', ...(status ? { status } : {}) });
      return r;
    } catch (e) {
      if (signal?.aborted) done({ outcome: 'aborted' });
      else if (this.gone) done({ outcome: 'vanished' });
      else if (e instanceof McpError && e.code !== ErrorCode.RequestTimeout && e.code !== ErrorCode.ConnectionClosed) {
        done({ outcome: 'protocolError', kind: errorKind(`${e.code} ${e.message}`) });
      } else done({ outcome: 'lost', kind: errorKind(e instanceof Error ? e.message : String(e)) });
      return undefined;
    } finally {
      this.inFlight.delete(p);
    }
  }

  /** Calls in flight now. */
  get pending(): number {
    return this.inFlight.size;
  }

  /**
   * Vanishes as a careless client does: HTTP closes without DELETE (the SDK's close() sends none);
   * the bridge process is killed (SIGKILL) under its client.
   */
  async vanish(): Promise<void> {
    this.gone = true;
    if (this.stdio?.pid) {
      try {
        process.kill(this.stdio.pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
    await this.client.close().catch(() => undefined);
  }

  /** Leaves: HTTP ends its MCP session (DELETE) when `politely`, else only closes; the bridge's stdin is closed. */
  async leave(politely: boolean): Promise<void> {
    this.gone = true;
    if (politely && this.http) await this.http.terminateSession().catch(() => undefined);
    await this.client.close().catch(() => undefined);
  }
}

/** The text of a result's first text content. */
export function textOf(r: CallToolResult): string {
  const first = r.content.find((c) => c.type === 'text');
  return first && first.type === 'text' ? first.text : '';
}

/** The structured content of a successful result, or undefined. */
export function structured<T>(r: CallToolResult | undefined): T | undefined {
  return r && !r.isError ? (r.structuredContent as T | undefined) : undefined;
}
