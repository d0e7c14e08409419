import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { PoshpoolEvent } from '../common/events.js';
import { defaultConfig, type PoshpoolConfig } from '../main/core/config/schema.js';
import { createCore, type Core } from '../main/core/createCore.js';
import type { Ticket } from '../main/core/scheduler/SessionManager.js';
import { requirePwsh } from './pwsh.js';

/** A real core (real pwsh sessions) in a temp dir, recording every event on its bus. */
export class CoreFixture {
  readonly dir: string;
  readonly events: PoshpoolEvent[] = [];
  private core: Core | undefined;

  constructor(prefix: string) {
    this.dir = mkdtempSync(path.join(tmpdir(), prefix));
  }

  /** Starts the core with the config's defaults and `overrides`; fails loudly when pwsh is missing. */
  start(overrides: Partial<PoshpoolConfig> = {}): Core {
    requirePwsh();
    const made = createCore({ config: defaultConfig(overrides), dataDir: path.join(this.dir, 'data'), cwd: this.dir });
    if (!made.ok) throw new Error(made.reason);
    this.core = made.core;
    made.core.bus.onEvent((e) => this.events.push(e));
    return made.core;
  }

  async dispose(): Promise<void> {
    await this.core?.dispose();
    this.core = undefined;
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** The session a ticket was (or will be) served with; throws when it was refused. */
export async function sessionOf(ticket: Ticket): Promise<string> {
  if (ticket.status === 'allocated') return ticket.sessionId;
  if (ticket.status === 'rejected') throw new Error(ticket.reason);
  const a = await ticket.allocation;
  if (!a.ok) throw new Error(a.reason);
  return a.sessionId;
}
