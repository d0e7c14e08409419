import fs from 'node:fs/promises';
import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import type { RequestHandlerExtra } from '@modelcontextprotocol/sdk/shared/protocol.js';
import { ListRootsResultSchema, RootsListChangedNotificationSchema, type ServerNotification, type ServerRequest } from '@modelcontextprotocol/sdk/types.js';
import type { Platform } from '../core/platform/Platform.js';

/**
 * Where a client's sessions begin: an explicit `cwd` argument, else the client's first root (MCP
 * roots, when it declares the capability), else the working directory of the `poshpool bridge` it
 * launched (a client starts its stdio server in its project: VS Code, Claude Code...), else wherever
 * the host starts sessions.
 */
export type CwdSource = 'argument' | 'root' | 'bridge' | 'host';

/** Where a session begins, and why there. `path` is null for `host` (the session reports its own). */
export interface StartDir {
  path: string | null;
  source: CwdSource;
  /** Why a root or the bridge's directory was passed over, when one was. */
  note?: string;
}

/** Where a session was put once lent: its location after the move, and why there. */
export interface Placed {
  /** The session's location after the move (null: not asked, the host's own start directory). */
  cwd: string | null;
  cwdSource: CwdSource;
  note?: string;
}

/** Longest wait for a client's answer to roots/list before its sessions start elsewhere (ms). */
export const ROOTS_TIMEOUT_MS = 5_000;

/** What a transport of a `poshpool bridge` connection carries: the bridge's working directory. */
export interface ClientCwdCarrier {
  readonly clientCwd?: string;
}

type Extra = RequestHandlerExtra<ServerRequest, ServerNotification>;
type RootsRead = { ok: true; first: string | undefined } | { ok: false; reason: string };

async function isDirectory(p: string): Promise<boolean> {
  try {
    return (await fs.stat(p)).isDirectory();
  } catch {
    // Missing or unreadable: not a place to start a session.
    return false;
  }
}

/**
 * One client's workspace (one per MCP server): reads its roots when a session first needs them,
 * reads them again after `notifications/roots/list_changed` (new sessions then use the new first
 * root; sessions already started stay where they are), and remembers where a queued session is to
 * begin once it is served.
 */
export class ClientWorkspace {
  private roots: Promise<RootsRead> | undefined;
  /** The workspace found when a session last started (undefined: none started since the roots changed). */
  private lastKnown: string | null | undefined;
  private readonly placements = new Map<string, { placed?: Placed }>();

  constructor(
    private readonly options: {
      server: Server;
      platform: Pick<Platform, 'fileUriToPath' | 'path'>;
      /** The bridge's working directory, when this client came through `poshpool bridge`. */
      bridgeCwd(): string | undefined;
    },
  ) {
    options.server.setNotificationHandler(RootsListChangedNotificationSchema, () => {
      this.roots = undefined;
      this.lastKnown = undefined;
    });
  }

  /**
   * The client's workspace as far as known now, without asking the client (for the approval rules'
   * "outside the workspace"): where its last session began, else the bridge's directory, else null.
   */
  known(): string | null {
    if (this.lastKnown !== undefined) return this.lastKnown;
    const bridge = this.options.bridgeCwd();
    return bridge !== undefined && this.options.platform.path.isAbsolute(bridge) ? bridge : null;
  }

  /**
   * Where a new session of this client begins. An explicit `cwd` must be an existing directory
   * (relative: to the workspace the session would otherwise begin in); a bad one is an error, while a
   * root or bridge directory that is not one here is passed over with a note.
   */
  async startDir(explicitCwd: string | undefined, extra: Extra): Promise<{ ok: true; dir: StartDir } | { ok: false; reason: string }> {
    const workspace = await this.workspace(extra);
    if (explicitCwd === undefined) return { ok: true, dir: workspace };
    const p = this.options.platform.path;
    if (!p.isAbsolute(explicitCwd) && workspace.path === null) {
      return { ok: false, reason: `cwd "${explicitCwd}" is relative, and this client has no workspace (no roots, not through poshpool bridge) to resolve it against: give an absolute path.` };
    }
    const resolved = workspace.path === null ? p.normalize(explicitCwd) : p.resolve(workspace.path, explicitCwd);
    if (!(await isDirectory(resolved))) {
      const base = workspace.path === null ? '' : ` (relative paths are taken from your workspace ${workspace.path})`;
      return { ok: false, reason: `cwd "${explicitCwd}" is not an existing directory${resolved === explicitCwd ? '' : ` (${resolved})`}: give one that exists${base}, or leave cwd out.` };
    }
    return { ok: true, dir: { path: resolved, source: 'argument' } };
  }

  /**
   * Keeps the placement of a queued request's session, which runs once the session is lent (see
   * start_session): queue_position says "preparing" until it is done, then where the session began.
   */
  defer(requestId: string, placing: Promise<Placed | null>): void {
    const entry: { placed?: Placed } = {};
    this.placements.set(requestId, entry);
    void placing.then((placed) => {
      // null: the request ended unserved (cancelled, timed out), so there is nothing to say later.
      if (placed === null) this.placements.delete(requestId);
      else entry.placed = placed;
    });
  }

  /** 'pending' while a queued request's session is being placed; then where it began (said once). */
  placement(requestId: string): 'pending' | Placed | undefined {
    const entry = this.placements.get(requestId);
    if (!entry) return undefined;
    if (!entry.placed) return 'pending';
    this.placements.delete(requestId);
    return entry.placed;
  }

  private async workspace(extra: Extra): Promise<StartDir> {
    const found = await this.findWorkspace(extra);
    this.lastKnown = found.path;
    return found;
  }

  private async findWorkspace(extra: Extra): Promise<StartDir> {
    const notes: string[] = [];
    if (this.options.server.getClientCapabilities()?.roots) {
      this.roots ??= this.readRoots(extra);
      const read = await this.roots;
      if (!read.ok) notes.push(read.reason);
      else if (read.first !== undefined) {
        const root = this.options.platform.fileUriToPath(read.first);
        if (root !== undefined && (await isDirectory(root))) return { path: root, source: 'root' };
        notes.push(`Your first root ${read.first} is not a directory on this machine, so it was not used.`);
      }
    }
    const bridge = this.options.bridgeCwd();
    if (bridge !== undefined) {
      if (this.options.platform.path.isAbsolute(bridge) && (await isDirectory(bridge))) return { path: bridge, source: 'bridge', ...noteOf(notes) };
      notes.push(`The directory poshpool bridge was started in (${bridge}) is not a directory now, so it was not used.`);
    }
    return { path: null, source: 'host', ...noteOf(notes) };
  }

  private async readRoots(extra: Extra): Promise<RootsRead> {
    try {
      // In the call's own exchange: over HTTP it goes on that request's stream, which is open now.
      const { roots } = await extra.sendRequest({ method: 'roots/list' }, ListRootsResultSchema, { timeout: ROOTS_TIMEOUT_MS });
      return { ok: true, first: roots[0]?.uri };
    } catch (e) {
      return { ok: false, reason: `Your client did not list its roots (${(e as Error).message}), so they were not used.` };
    }
  }
}

function noteOf(notes: string[]): { note?: string } {
  return notes.length === 0 ? {} : { note: notes.join(' ') };
}
