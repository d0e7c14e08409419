// Builds the Electron preload (preload/index.ts + ./api.ts) into ONE CommonJS file,
// dist/preload/index.cjs. The window is sandboxed (DESIGN.md §4): a sandboxed preload cannot load
// ES modules or other local files, only `require('electron')` and a few Node built-ins, so api.ts is
// bundled in and electron stays a require. main/app loads it by path: dist/preload/index.cjs.
// `tsc -p tsconfig.node.json` also writes ESM dist/preload/*.js (for tests and type checks): keep them.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  // Nothing from public/ belongs next to the preload, and .env files must not leak into it.
  publicDir: false,
  envDir: false,
  logLevel: 'warn',
  build: {
    lib: {
      entry: fileURLToPath(new URL('./preload/index.ts', import.meta.url)),
      formats: ['cjs'],
      fileName: () => 'index.cjs',
    },
    outDir: 'dist/preload',
    // tsc writes dist/preload/*.js before this runs.
    emptyOutDir: false,
    minify: false,
    sourcemap: false,
    // The preload runs in Electron 45's renderer, a current Chromium: no down-levelling needed.
    target: 'esnext',
    copyPublicDir: false,
    rolldownOptions: {
      external: ['electron'],
    },
  },
});
