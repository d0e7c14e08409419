import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

// The layering rules of DESIGN.md §3.1 are lint rules; these tests prove they fire.

const eslint = new ESLint();

async function restrictedImports(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? []).filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

describe('layering lint rules', () => {
  it('main/core may not import electron, react or main/app', async () => {
    expect(await restrictedImports('main/core/pool/x.ts', "import { app } from 'electron';\nexport const a = app;\n")).toHaveLength(1);
    expect(await restrictedImports('main/core/pool/x.ts', "import React from 'react';\nexport const r = React;\n")).toHaveLength(1);
    expect(await restrictedImports('main/core/pool/x.ts', "import { tray } from '../../app/tray.js';\nexport const t = tray;\n")).toHaveLength(1);
  });

  it('only PwshSession imports node-pty', async () => {
    const code = "import * as pty from '@lydell/node-pty';\nexport const p = pty;\n";
    expect(await restrictedImports('main/core/pool/x.ts', code)).toHaveLength(1);
    expect(await restrictedImports('main/core/shell/PwshSession.ts', code)).toHaveLength(0);
  });

  it('the renderer may not import main/', async () => {
    expect(await restrictedImports('renderer/x.ts', "import { a } from '../main/core/x.js';\nexport const b = a;\n")).toHaveLength(1);
  });

  it('main/app may import electron', async () => {
    expect(await restrictedImports('main/app/x.ts', "import { app } from 'electron';\nexport const a = app;\n")).toHaveLength(0);
  });

  it('raw ipcMain and ipcRenderer only inside the typed IPC wrappers; the renderer never imports electron', async () => {
    expect(await restrictedImports('main/app/x.ts', "import { ipcMain } from 'electron';\nexport const i = ipcMain;\n")).toHaveLength(1);
    expect(await restrictedImports('main/app/electronPorts.ts', "import { ipcMain } from 'electron';\nexport const i = ipcMain;\n")).toHaveLength(0);
    expect(await restrictedImports('preload/x.ts', "import { ipcRenderer } from 'electron';\nexport const i = ipcRenderer;\n")).toHaveLength(1);
    expect(await restrictedImports('preload/index.ts', "import { ipcRenderer } from 'electron';\nexport const i = ipcRenderer;\n")).toHaveLength(0);
    expect(await restrictedImports('renderer/x.ts', "import { ipcRenderer } from 'electron';\nexport const i = ipcRenderer;\n")).toHaveLength(1);
  });
});
