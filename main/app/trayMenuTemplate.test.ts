import type { KeyboardEvent, MenuItem, MenuItemConstructorOptions } from 'electron';
import { describe, expect, it, vi } from 'vitest';
import { toMenuTemplate } from './trayMenuTemplate.js';
import type { TrayAction, TrayMenuItem } from './trayView.js';

/** Clicks a template item as Electron would (the arguments are not used by the template). */
function click(item: MenuItemConstructorOptions): void {
  expect(item.click).toBeTypeOf('function');
  item.click!({} as MenuItem, undefined, {} as KeyboardEvent);
}

describe('toMenuTemplate', () => {
  it('converts a separator', () => {
    expect(toMenuTemplate([{ type: 'separator' }], () => {})).toEqual([{ type: 'separator' }]);
  });

  it('converts a normal item with an action into one whose click sends that action', () => {
    const onAction = vi.fn();
    const action: TrayAction = { kind: 'openDashboard' };
    const [item] = toMenuTemplate([{ type: 'normal', label: 'Open dashboard', enabled: true, action }], onAction);
    expect(item).toMatchObject({ label: 'Open dashboard', enabled: true });
    expect(item!.type ?? 'normal').toBe('normal');
    expect(onAction).not.toHaveBeenCalled();
    click(item!);
    expect(onAction).toHaveBeenCalledTimes(1);
    expect(onAction).toHaveBeenCalledWith(action);
  });

  it('gives a normal item without action no click', () => {
    const [item] = toMenuTemplate([{ type: 'normal', label: 'poshpool: 2 sessions', enabled: false }], () => {});
    expect(item).toEqual({ label: 'poshpool: 2 sessions', enabled: false });
    expect(item).not.toHaveProperty('click');
  });

  it('converts checkboxes with their checked state and action', () => {
    const onAction = vi.fn();
    const items: TrayMenuItem[] = [
      { type: 'checkbox', label: 'Pause new sessions', enabled: true, checked: true, action: { kind: 'setPaused', paused: false } },
      { type: 'checkbox', label: 'Start at login', enabled: false, checked: false, action: { kind: 'setStartAtLogin', enabled: true } },
    ];
    const [paused, login] = toMenuTemplate(items, onAction);
    expect(paused).toMatchObject({ type: 'checkbox', label: 'Pause new sessions', enabled: true, checked: true });
    expect(login).toMatchObject({ type: 'checkbox', label: 'Start at login', enabled: false, checked: false });
    click(paused!);
    expect(onAction).toHaveBeenLastCalledWith({ kind: 'setPaused', paused: false });
    click(login!);
    expect(onAction).toHaveBeenLastCalledWith({ kind: 'setStartAtLogin', enabled: true });
    expect(onAction).toHaveBeenCalledTimes(2);
  });

  it('converts nested submenus, with clicks reaching onAction from any depth', () => {
    const onAction = vi.fn();
    const items: TrayMenuItem[] = [
      {
        type: 'submenu',
        label: 'Sessions (1)',
        enabled: true,
        submenu: [
          {
            type: 'submenu',
            label: 'pwsh-1: running npm test',
            enabled: true,
            submenu: [
              { type: 'normal', label: 'Cancel command (Ctrl+C)', enabled: true, action: { kind: 'cancelCommand', sessionId: 'pwsh-1' } },
              { type: 'separator' },
              { type: 'normal', label: 'Terminate session', enabled: false, action: { kind: 'terminateSession', sessionId: 'pwsh-1' } },
            ],
          },
        ],
      },
    ];
    const [top] = toMenuTemplate(items, onAction);
    expect(top).toMatchObject({ label: 'Sessions (1)', enabled: true });
    expect(top).not.toHaveProperty('click');
    const level1 = top!.submenu as MenuItemConstructorOptions[];
    expect(level1).toHaveLength(1);
    expect(level1[0]).toMatchObject({ label: 'pwsh-1: running npm test', enabled: true });
    const level2 = level1[0]!.submenu as MenuItemConstructorOptions[];
    expect(level2.map((i) => i.type ?? 'normal')).toEqual(['normal', 'separator', 'normal']);
    expect(level2[2]).toMatchObject({ label: 'Terminate session', enabled: false });

    click(level2[0]!);
    expect(onAction).toHaveBeenLastCalledWith({ kind: 'cancelCommand', sessionId: 'pwsh-1' });
    click(level2[2]!);
    expect(onAction).toHaveBeenLastCalledWith({ kind: 'terminateSession', sessionId: 'pwsh-1' });
  });

  it('keeps the order and length of the items', () => {
    const items: TrayMenuItem[] = [
      { type: 'normal', label: 'a', enabled: false },
      { type: 'separator' },
      { type: 'normal', label: 'b', enabled: true, action: { kind: 'quit' } },
      { type: 'submenu', label: 'c', enabled: true, submenu: [] },
    ];
    const template = toMenuTemplate(items, () => {});
    expect(template.map((i) => i.label ?? i.type)).toEqual(['a', 'separator', 'b', 'c']);
    expect(template[3]!.submenu).toEqual([]);
  });

  it('gives each item its own action', () => {
    const onAction = vi.fn();
    const template = toMenuTemplate(
      [
        { type: 'normal', label: 'Copy for VS Code', enabled: true, action: { kind: 'copyConfig', client: 'vscode' } },
        { type: 'normal', label: 'Copy for Claude Code', enabled: true, action: { kind: 'copyConfig', client: 'claudeCode' } },
        { type: 'normal', label: 'Quit', enabled: true, action: { kind: 'quit' } },
      ],
      onAction,
    );
    click(template[1]!);
    click(template[2]!);
    click(template[0]!);
    expect(onAction.mock.calls.map(([a]) => a)).toEqual([{ kind: 'copyConfig', client: 'claudeCode' }, { kind: 'quit' }, { kind: 'copyConfig', client: 'vscode' }]);
  });
});
