/**
 * Packaging checks that run where installers cannot be built (this project's Linux CI machine has no
 * Electron binary): electron-builder.yml is loaded and validated by electron-builder's own code
 * (app-builder-lib 26.17.0: its config loader, its ajv schema validator over scheme.json, its
 * package.json checks and its file matchers), then the fields that matter are asserted, and the
 * sandboxed preload bundle is run against a fake `electron`. Needs `npm run build` first (npm test
 * does that).
 */

import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';
import { beforeAll, describe, expect, it } from 'vitest';
import { RELAY_SCRIPT_NAME } from '../main/host/socket/relayCommand.js';
import { platformFor } from '../main/core/platform/Platform.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const at = (...parts: string[]) => path.join(root, ...parts);

// app-builder-lib, js-yaml and ajv are electron-builder's dependencies, not ours: resolve them from
// electron-builder's own location, so this test uses the very copies `npx electron-builder` uses.
const fromBuilder = createRequire(createRequire(import.meta.url).resolve('electron-builder/package.json'));

interface DebugLogger {
  isEnabled: boolean;
  add(key: string, value: unknown): void;
}
/** What this test reads from an electron-builder configuration (the loader returns more). */
interface BuilderConfig {
  appId?: string;
  productName?: string;
  directories?: { output?: string; buildResources?: string };
  files?: unknown;
  asarUnpack?: string[];
  npmRebuild?: boolean;
  electronFuses?: Record<string, boolean>;
  win?: { icon?: string; target?: unknown; extraResources?: unknown };
  mac?: { icon?: string; target?: unknown };
  linux?: { icon?: string; target?: unknown; maintainer?: string };
  [key: string]: unknown;
}
interface FileMatcher {
  from: string;
  to: string;
  patterns: string[];
  createFilter(): (file: string, stat: { isDirectory(): boolean }) => boolean;
}
interface ConfigModule {
  getConfig(projectDir: string, configPath: string | null, configFromOptions: null): Promise<BuilderConfig>;
  validateConfiguration(config: unknown, debugLogger: DebugLogger): Promise<void>;
}
interface FileMatcherModule {
  getMainFileMatchers(
    appDir: string,
    destination: string,
    macroExpander: (s: string) => string,
    platformSpecificBuildOptions: object,
    platformPackager: object,
    outDir: string,
    isElectronCompile: boolean,
  ): FileMatcher[];
  getFileMatchers(config: BuilderConfig, name: 'asarUnpack' | 'extraResources', destination: string, options: object): FileMatcher[] | null;
}
interface PackageMetadataModule {
  readPackageJson(file: string): Promise<Record<string, unknown>>;
  checkMetadata(metadata: object, devMetadata: object, appPackageFile: string, devPackageFile: string): void;
}

const configModule = fromBuilder('app-builder-lib/out/util/config/config.js') as ConfigModule;
const fileMatcherModule = fromBuilder('app-builder-lib/out/fileMatcher.js') as FileMatcherModule;
const packageMetadataModule = fromBuilder('app-builder-lib/out/util/packageMetadata.js') as PackageMetadataModule;
const jsYaml = fromBuilder('js-yaml') as { load(text: string): unknown };
const quietLogger: DebugLogger = { isEnabled: false, add: () => undefined };

const pkg = JSON.parse(readFileSync(at('package.json'), 'utf8')) as {
  main: string;
  scripts: Record<string, string>;
  dependencies: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  devDependencies: Record<string, string>;
};
/** electron-builder.yml as js-yaml (electron-builder's YAML parser) reads it. */
const yml = jsYaml.load(readFileSync(at('electron-builder.yml'), 'utf8')) as BuilderConfig;

describe('electron-builder.yml', () => {
  let loaded: BuilderConfig;
  beforeAll(async () => {
    // The loader `electron-builder` runs: package.json "build" first, else electron-builder.yml.
    loaded = await configModule.getConfig(root, null, null);
  });

  it('is the configuration electron-builder loads (no "build" key in package.json shadows it)', () => {
    expect(pkg).not.toHaveProperty('build');
    expect(loaded.appId).toBe(yml.appId);
    expect(loaded.electronFuses).toEqual(yml.electronFuses);
  });

  it("passes electron-builder's own schema validation (ajv over app-builder-lib/scheme.json)", async () => {
    await expect(configModule.validateConfiguration(structuredClone(loaded), quietLogger)).resolves.toBeUndefined();
  });

  it('the validator is live: a misspelt option is refused', async () => {
    const broken = { ...structuredClone(loaded), electronFuses: { runAsnode: false } };
    await expect(configModule.validateConfiguration(broken, quietLogger)).rejects.toThrow(/does not match the API schema/);
    await expect(configModule.validateConfiguration({ ...structuredClone(loaded), appid: 'x' }, quietLogger)).rejects.toThrow(/unknown property 'appid'/);
  });

  it('package.json passes the metadata checks electron-builder makes before packaging', async () => {
    const metadata = await packageMetadataModule.readPackageJson(at('package.json'));
    expect(() => packageMetadataModule.checkMetadata(metadata, metadata, at('package.json'), at('package.json'))).not.toThrow();
    expect(pkg.devDependencies['electron-builder']).toBe('26.17.0');
    expect(pkg.devDependencies).toHaveProperty('electron');
    expect(pkg.dependencies).not.toHaveProperty('electron');
    expect(pkg.scripts.dist).toBe('npm run build && electron-builder');
  });

  it('names the app and writes installers to release/', () => {
    expect(yml.appId).toBe('dev.poshpool.app');
    expect(yml.productName).toBe('poshpool');
    expect(yml.directories?.output).toBe('release');
  });

  it('builds nsis + portable on Windows, dmg on macOS, AppImage + deb on Linux', () => {
    expect(yml.win?.target).toEqual(['nsis', 'portable']);
    expect(yml.mac?.target).toEqual(['dmg']);
    expect(yml.linux?.target).toEqual(['AppImage', 'deb']);
    // deb refuses to build without a maintainer unless package.json's author has an email.
    expect(yml.linux?.maintainer).toBeTruthy();
  });

  it('turns off RunAsNode, NODE_OPTIONS and --inspect with fuses', () => {
    expect(yml.electronFuses).toMatchObject({
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
    });
  });

  it('never rebuilds native modules and unpacks node-pty (and its platform binary) from the asar', () => {
    expect(yml.npmRebuild).toBe(false);
    const [unpack] = fileMatcherModule.getFileMatchers(loaded, 'asarUnpack', at('release', 'app'), {
      macroExpander: (s: string) => s,
      customBuildOptions: {},
      globalOutDir: at('release'),
      defaultSrc: root,
    }) ?? [];
    expect(unpack).toBeDefined();
    const unpacked = unpack!.createFilter();
    const file = { isDirectory: () => false };
    // Every file of the installed node-pty packages (index.js, the binary package's pty.node, ...).
    const ptyPackages = readdirSync(at('node_modules', '@lydell')).filter((name) => name === 'node-pty' || name.startsWith('node-pty-'));
    expect(ptyPackages).toContain('node-pty');
    expect(ptyPackages.some((name) => name.startsWith('node-pty-'))).toBe(true);
    for (const name of ptyPackages) {
      for (const entry of readdirSync(at('node_modules', '@lydell', name), { recursive: true }) as string[]) {
        if (statSync(at('node_modules', '@lydell', name, entry)).isDirectory()) continue;
        expect(unpacked(at('node_modules', '@lydell', name, entry), file), `${name}/${entry}`).toBe(true);
      }
    }
    // Upstream node-pty (Windows: its bundled conpty.dll and OpenConsole.exe must be real files too).
    expect(unpacked(at('node_modules', 'node-pty', 'package.json'), file)).toBe(true);
    expect(unpacked(at('node_modules', 'node-pty', 'prebuilds', 'win32-x64', 'conpty', 'OpenConsole.exe'), file)).toBe(true);
    expect(unpacked(at('node_modules', 'zod', 'package.json'), file)).toBe(false);
  });

  it('ships exactly what the app reads at run time (electron-builder file matching, on the real tree)', () => {
    const buildResourcesDir = path.resolve(root, loaded.directories?.buildResources ?? 'build');
    const platformPackager = { info: { projectDir: root, buildResourcesDir, isPrepackedAppAsar: false, config: loaded, debugLogger: quietLogger } };
    const [main] = fileMatcherModule.getMainFileMatchers(root, at('release', 'app'), (s) => s, {}, platformPackager, at('release'), false);
    const included = main!.createFilter();
    const isIn = (rel: string) => included(at(rel), { isDirectory: () => existsSync(at(rel)) && statSync(at(rel)).isDirectory() });

    // package.json "main" is checked as a string only: main/app (the Electron entry) may not be built yet.
    expect(pkg.main).toBe('dist/main/app/main.js');
    const shipped = [pkg.main, 'package.json', 'dist/preload/index.cjs', 'dist/renderer/index.html', 'dist/main/core/shell/integration.ps1'];
    for (const rel of shipped) expect(isIn(rel), rel).toBe(true);
    for (const rel of shipped.slice(1)) expect(existsSync(at(rel)), `${rel} exists after npm run build`).toBe(true);

    // Tray icons: the main process reads them from <app>/assets/tray/ although assets/ is buildResources.
    const tray = readdirSync(at('assets', 'tray'));
    expect(tray.length).toBeGreaterThan(0);
    for (const name of tray) expect(isIn(`assets/tray/${name}`), `assets/tray/${name}`).toBe(true);

    for (const rel of ['dist/bench/run.js', 'dist/preload/index.js.map', 'assets/icon.png', 'electron-builder.yml', 'main/core/shell/PwshSession.ts', 'release/x.AppImage']) {
      expect(isIn(rel), rel).toBe(false);
    }
  });

  it('ships the run-time packages the main process imports, and no others (the renderer\'s are bundled by vite: devDependencies)', () => {
    // electron-builder copies every production dependency into the app; the built main process and
    // common/ are what runs there, so their bare imports must be exactly package.json's dependencies.
    const imported = new Set<string>();
    for (const dir of ['dist/main', 'dist/common']) {
      for (const rel of readdirSync(at(dir), { recursive: true }) as string[]) {
        if (!rel.endsWith('.js')) continue;
        const text = readFileSync(at(dir, rel), 'utf8');
        for (const m of text.matchAll(/(?:from\s+|import\s*\(\s*|require\(\s*)['"]([^'"./][^'"]*)['"]/g)) {
          const spec = m[1]!;
          if (spec.startsWith('node:') || spec === 'electron') continue; // Node's own, and the runtime itself
          imported.add(spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!);
        }
      }
    }
    // The engine loads its pseudo-terminal library by the name the platform seam gives it
    // (PwshSession: import(platform.pty.module)); upstream node-pty is optional (Windows only).
    for (const os of ['win32', 'darwin', 'linux'] as const) imported.add(platformFor(os).pty.module);
    expect([...imported].sort()).toEqual([...Object.keys(pkg.dependencies), ...Object.keys(pkg.optionalDependencies ?? {})].sort());
  });

  it('ships relay.ps1 (the Windows stdio bridge) as a plain file at <resources>\\relay.ps1, where the copied client configs load it', () => {
    const resourcesDir = at('release', 'win-unpacked', 'resources');
    const options = (buildOptions: object) => ({ macroExpander: (s: string) => s, customBuildOptions: buildOptions, globalOutDir: at('release'), defaultSrc: root });
    const matchers = fileMatcherModule.getFileMatchers(loaded, 'extraResources', resourcesDir, options(loaded.win ?? {})) ?? [];
    expect(matchers.map((m) => [m.from, m.to])).toEqual([[at('main', 'host', 'socket', 'relay.ps1'), path.join(resourcesDir, RELAY_SCRIPT_NAME)]]);
    expect(existsSync(matchers[0]!.from)).toBe(true);
    // Windows only: the other platforms' apps read stdin and are their own bridge.
    expect(fileMatcherModule.getFileMatchers(loaded, 'extraResources', resourcesDir, options(loaded.mac ?? {}))).toBeNull();
    expect(fileMatcherModule.getFileMatchers(loaded, 'extraResources', resourcesDir, options(loaded.linux ?? {}))).toBeNull();
  });

  it('has app icons big enough for every platform (png 512 px for the dmg, ico with 256 px for nsis)', () => {
    expect(yml.mac?.icon).toBe('assets/icon.png');
    expect(yml.linux?.icon).toBe('assets/icon.png');
    expect(yml.win?.icon).toBe('assets/icon.ico');

    const png = readFileSync(at('assets', 'icon.png'));
    expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
    expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([512, 512]);

    const ico = readFileSync(at('assets', 'icon.ico'));
    expect([ico.readUInt16LE(0), ico.readUInt16LE(2)]).toEqual([0, 1]); // reserved, type icon
    const sizes = Array.from({ length: ico.readUInt16LE(4) }, (_, i) => ico[6 + 16 * i] || 256); // 0 means 256
    expect(Math.max(...sizes)).toBeGreaterThanOrEqual(256);
  });
});

describe('dist/preload/index.cjs (the sandboxed preload)', () => {
  const file = at('dist', 'preload', 'index.cjs');
  const source = existsSync(file) ? readFileSync(file, 'utf8') : '';

  it('exists (npm run build writes it)', () => {
    expect(existsSync(file), `${file} missing: run npm run build`).toBe(true);
  });

  it('is CommonJS that requires only electron', () => {
    expect(source).not.toMatch(/^\s*(import|export)\b/m);
    expect(source).not.toMatch(/\bimport\s*\(|import\.meta/);
    expect([...source.matchAll(/\brequire\(\s*["']([^"']+)["']\s*\)/g)].map((m) => m[1])).toEqual(['electron']);
  });

  it("exposes window.poshpool through contextBridge when run like Electron's sandboxed preload", () => {
    const exposed: [string, unknown][] = [];
    const fakeElectron = {
      contextBridge: { exposeInMainWorld: (key: string, api: unknown) => exposed.push([key, api]) },
      ipcRenderer: { invoke: async () => undefined, on: () => undefined, removeListener: () => undefined },
    };
    const sandboxRequire = (id: string) => {
      if (id === 'electron') return fakeElectron;
      throw new Error(`a sandboxed preload cannot require ${id}`);
    };
    const cjsModule = { exports: {} };
    vm.runInNewContext(`(function (require, module, exports) {\n${source}\n})`, {}, { filename: file })(sandboxRequire, cjsModule, cjsModule.exports);
    expect(exposed.map(([key]) => key)).toEqual(['poshpool']);
    const api = exposed[0]![1] as Record<string, unknown>;
    expect(Object.keys(api).sort()).toEqual(
      ['answerApproval', 'backupDiff', 'backups', 'cancelCommand', 'cancelRequest', 'changePriority', 'historyEntry', 'historyPage', 'jobPage', 'onConnection', 'onEvents', 'recentCommands', 'readTerminal', 'restoreBackup', 'restorePreview', 'sessionHistory', 'setPaused', 'snapshot', 'terminateSession'].sort(),
    );
  });
});
