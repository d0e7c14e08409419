import type { EventChannel, EventChannels, InvokeChannel, InvokeChannels } from '../../common/ipc.js';
import { isAppUrl } from './appProtocol.js';

/** What an IPC handler learns about who called (Electron's IpcMainInvokeEvent fits). */
export interface IpcSenderInfo {
  sender: { id: number };
  senderFrame: { url: string; parent: unknown } | null;
}

/** The part of ipcMain the router uses. */
export interface IpcMainPort {
  handle(channel: string, listener: (event: IpcSenderInfo, ...args: unknown[]) => unknown): void;
  removeHandler(channel: string): void;
}

/** A renderer the router can push to (Electron's WebContents fits). */
export interface IpcTarget {
  readonly id: number;
  isDestroyed(): boolean;
  send(channel: string, payload: unknown): void;
}

type Check = (v: unknown) => boolean;
const str: Check = (v) => typeof v === 'string' && v.length > 0 && v.length <= 4096;
const optStr: Check = (v) => v === undefined || str(v);
const page: Check = (v) => Number.isInteger(v) && (v as number) >= 0;
const seq: Check = (v) => Number.isInteger(v) && (v as number) >= 1;
const optLimit: Check = (v) => v === undefined || (Number.isInteger(v) && (v as number) > 0 && (v as number) <= 10_000);
const priority: Check = (v) => v === 'sync' || v === 'async';
const against: Check = (v) => v === 'parent' || v === 'now';
const approvalAnswer: Check = (v) => v === 'once' || v === 'session' || v === 'deny';
const cursor: Check = (v) => Number.isSafeInteger(v) && (v as number) >= 0;
const waitMs: Check = (v) => Number.isInteger(v) && (v as number) >= 0 && (v as number) <= 60_000;

/** The shape of every invoke channel's arguments: the renderer is sandboxed, and main trusts nothing it sends. */
const ARGS: { [C in InvokeChannel]: { checks: Check[]; required: number; describe: string } } = {
  'poshpool:snapshot': { checks: [], required: 0, describe: 'no arguments' },
  'poshpool:cancelCommand': { checks: [str], required: 1, describe: 'sessionId' },
  'poshpool:terminateSession': { checks: [str], required: 1, describe: 'sessionId' },
  'poshpool:changePriority': { checks: [str, priority], required: 2, describe: 'requestId, "sync" | "async"' },
  'poshpool:cancelRequest': { checks: [str], required: 1, describe: 'requestId' },
  'poshpool:jobPage': { checks: [str, page], required: 2, describe: 'jobId, page (a whole number from 0)' },
  'poshpool:sessionHistory': { checks: [str], required: 1, describe: 'sessionId' },
  'poshpool:historyEntry': { checks: [str, seq], required: 2, describe: 'sessionId, seq (a whole number from 1)' },
  'poshpool:historyPage': { checks: [str, seq, page], required: 3, describe: 'sessionId, seq (a whole number from 1), page (a whole number from 0)' },
  'poshpool:recentCommands': { checks: [optLimit], required: 0, describe: 'limit? (a whole number from 1)' },
  'poshpool:backups': { checks: [str, optLimit], required: 1, describe: 'folder, limit?' },
  'poshpool:backupDiff': { checks: [str, str, against, optStr], required: 3, describe: 'folder, backupId, "parent" | "now", path?' },
  'poshpool:restoreBackup': { checks: [str, str, optStr], required: 2, describe: 'folder, backupId, path?' },
  'poshpool:restorePreview': { checks: [str, str, optStr], required: 2, describe: 'folder, backupId, path?' },
  'poshpool:setPaused': { checks: [(v) => typeof v === 'boolean'], required: 1, describe: 'paused (true or false)' },
  'poshpool:answerApproval': { checks: [str, approvalAnswer], required: 2, describe: 'approvalId, "once" | "session" | "deny"' },
  'poshpool:readTerminal': { checks: [str, cursor, waitMs], required: 3, describe: 'sessionId, since (a whole number from 0), waitMs (0 to 60000)' },
};

/**
 * The typed IPC of the main process (DESIGN.md §3.2): `handle()` registers an invoke channel of
 * common/ipc.ts and `send()` pushes on an event channel; nothing else touches ipcMain. Every call is
 * checked before its handler runs: it must come from the dashboard's own window (its WebContents),
 * from its top frame, showing the app's own page; its arguments must have the channel's shape.
 * A refused call is answered `{ ok: false, reason }` and logged, never thrown into the page.
 */
export class IpcRouter {
  private readonly channels = new Set<string>();

  constructor(
    private readonly ipcMain: IpcMainPort,
    /** The WebContents id of the dashboard window, or undefined while there is none. */
    private readonly trustedContentsId: () => number | undefined,
    private readonly log: (line: string) => void,
  ) {}

  /** Whether a call comes from the dashboard window's top frame on the app's page. */
  isTrusted(event: IpcSenderInfo): boolean {
    const id = this.trustedContentsId();
    const frame = event.senderFrame;
    return id !== undefined && event.sender.id === id && frame !== null && (frame.parent === null || frame.parent === undefined) && isAppUrl(frame.url);
  }

  handle<C extends InvokeChannel>(channel: C, handler: (...args: InvokeChannels[C]['args']) => Promise<InvokeChannels[C]['result']>): void {
    this.channels.add(channel);
    this.ipcMain.handle(channel, async (event, ...args) => {
      if (!this.isTrusted(event)) {
        this.log(`IPC ${channel} refused: it came from ${event.senderFrame?.url ?? 'a frame that is gone'} (contents ${event.sender.id}), not the poshpool dashboard.`);
        return { ok: false, reason: 'Refused: this call did not come from the poshpool dashboard window.' };
      }
      const shape = ARGS[channel];
      const bad = args.length > shape.checks.length || args.length < shape.required || shape.checks.some((check, i) => i < args.length && !check(args[i]));
      if (bad) return { ok: false, reason: `Bad arguments for ${channel}: expected (${shape.describe}).` };
      try {
        return await handler(...(args as InvokeChannels[C]['args']));
      } catch (e) {
        // The contract says handlers answer with values; a throw is a bug, reported instead of rejecting in the page.
        this.log(`IPC ${channel} failed: ${(e as Error).stack ?? String(e)}`);
        return { ok: false, reason: `${channel} failed inside poshpool: ${(e as Error).message}` };
      }
    });
  }

  /** Pushes an event channel's payload to the dashboard window, when it is there. */
  send<C extends EventChannel>(target: IpcTarget | undefined, channel: C, payload: EventChannels[C]): void {
    if (target && !target.isDestroyed()) target.send(channel, payload);
  }

  dispose(): void {
    for (const channel of this.channels) this.ipcMain.removeHandler(channel);
    this.channels.clear();
  }
}
