import { describe, expect, it } from 'vitest';
import type { PoshpoolEvent } from '../../../common/events.js';
import { EventBus } from '../events/EventBus.js';
import { CLIENTS_REMEMBERED, ClientDirectory } from './ClientDirectory.js';

describe('ClientDirectory', () => {
  it('remembers what a client says it is and publishes client.connected', () => {
    const bus = new EventBus(() => 5);
    const events: PoshpoolEvent[] = [];
    bus.onEvent((e) => events.push(e));
    const clients = new ClientDirectory(bus, () => 5);
    clients.register('c1', 'claude-code', '2.0.1');
    expect(clients.get('c1')).toEqual({ clientId: 'c1', name: 'claude-code', version: '2.0.1', connectedAt: 5 });
    expect(events).toEqual([{ type: 'client.connected', clientId: 'c1', name: 'claude-code', version: '2.0.1', time: 5 }]);
    expect(clients.get('nobody')).toBeUndefined();
  });

  it('keeps only printable text, cut to 100 characters, and names a nameless client', () => {
    const clients = new ClientDirectory(new EventBus());
    expect(clients.register('a', 'evil\u001b[31m\nname\u202e', '1\r\n2').name).toBe('evil [31m name');
    expect(clients.get('a')?.version).toBe('1 2');
    expect(clients.register('b', 'x'.repeat(500), '1').name).toHaveLength(100);
    expect(clients.register('c', '\u0000 ', '').name).toBe('unnamed client');
  });

  it(`forgets the oldest beyond ${CLIENTS_REMEMBERED}; a client that connects again is the newest`, () => {
    const clients = new ClientDirectory(new EventBus());
    for (let i = 0; i < CLIENTS_REMEMBERED; i++) clients.register(`c${i}`, `n${i}`, '1');
    clients.register('c0', 'n0 again', '1');
    clients.register('extra', 'x', '1');
    expect(clients.get('c1')).toBeUndefined();
    expect(clients.get('c0')?.name).toBe('n0 again');
    expect(clients.list()).toHaveLength(CLIENTS_REMEMBERED);
    expect(clients.list().at(-1)?.clientId).toBe('extra');
  });
});
