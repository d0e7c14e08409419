import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const noUiInCore = {
  paths: [
    { name: 'electron', message: 'main/core, main/mcp and main/host run headless: no electron here.' },
    { name: 'react', message: 'main/core, main/mcp and main/host run headless: no react here.' },
    { name: 'react-dom', message: 'main/core, main/mcp and main/host run headless: no react here.' },
  ],
  patterns: [{ group: ['**/app/*', '**/app'], message: 'main/app sits above the core; the core never imports it.' }],
};

const ptyMessage = 'Only main/core/shell/PwshSession.ts loads node-pty (the platform seam names which one); sessionContract.ts takes its types.';
const onlySessionImportsPty = { name: '@lydell/node-pty', message: ptyMessage };
const onlySessionImportsUpstreamPty = { name: 'node-pty', message: ptyMessage };

// DESIGN.md §3.11: OS differences are decided in the platform seam; nothing else reads process.platform.
const platformSeam = {
  files: ['main/**/*.ts', 'common/**/*.ts', 'preload/**/*.ts', 'renderer/**/*.ts', 'renderer/**/*.tsx', 'bench/**/*.ts'],
  ignores: ['main/core/platform/**', '**/*.test.ts', '**/*.test.tsx', '**/*.test-support.ts'],
  rules: {
    'no-restricted-properties': ['error', { object: 'process', property: 'platform', message: 'Ask the platform seam: currentPlatform() / a Platform passed in (main/core/platform/Platform.ts).' }],
  },
};

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'bench/results/**', 'test-results/**', 'playwright-report/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': ['error', { allow: ['error', 'warn'] }],
    },
  },
  // Layering (DESIGN.md §3.1): the core runs headless and only PwshSession touches node-pty.
  {
    files: ['main/core/**', 'main/mcp/**', 'main/host/**', 'main/cli/**', 'common/**'],
    ignores: ['main/core/shell/PwshSession.ts', 'main/core/shell/sessionContract.ts', 'main/core/shell/*.test.ts', 'main/core/shell/*.test-support.ts'],
    rules: { 'no-restricted-imports': ['error', { ...noUiInCore, paths: [...noUiInCore.paths, onlySessionImportsPty, onlySessionImportsUpstreamPty] }] },
  },
  {
    // The session loads the module, its contract and the tests that wrap a real pty take its types.
    files: ['main/core/shell/PwshSession.ts', 'main/core/shell/sessionContract.ts', 'main/core/shell/*.test.ts', 'main/core/shell/*.test-support.ts'],
    rules: { 'no-restricted-imports': ['error', noUiInCore] },
  },
  // Raw ipcMain / ipcRenderer only inside the typed wrappers (DESIGN.md §3.2): IpcRouter is handed
  // ipcMain by electronPorts.ts, and the preload's entry hands ipcRenderer to createPreloadApi.
  {
    files: ['main/app/**', 'preload/**'],
    ignores: ['main/app/electronPorts.ts', 'preload/index.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [
          onlySessionImportsPty,
          { name: 'electron', importNames: ['ipcMain', 'ipcRenderer'], message: 'IPC goes through main/app/IpcRouter.ts (main) and preload/api.ts (preload) only.' },
        ],
      }],
    },
  },
  {
    files: ['main/app/electronPorts.ts', 'preload/index.ts'],
    rules: { 'no-restricted-imports': ['error', { paths: [onlySessionImportsPty] }] },
  },
  // The renderer never reaches into main/ (types come from common/).
  {
    files: ['renderer/**'],
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      'no-restricted-imports': ['error', {
        paths: [onlySessionImportsPty, { name: 'electron', message: 'The renderer is sandboxed: it reaches main only through window.poshpool (the preload).' }],
        patterns: [{ group: ['**/main/*', '**/main'], message: 'The renderer talks to main only through the bridge in common/.' }],
      }],
    },
  },
  platformSeam,
  // Tests and benchmarks may print.
  { files: ['**/*.test.ts', '**/*.test.tsx', 'e2e/**', 'bench/**', 'scripts/**', 'bin/**'], rules: { 'no-console': 'off' } },
);
