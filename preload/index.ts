/**
 * The preload entry: exposes `window.poshpool` and nothing else. The window is sandboxed with
 * contextIsolation (DESIGN.md §4), so ipcRenderer itself never reaches the page.
 *
 * A sandboxed preload runs as CommonJS: packaging compiles this file (and api.ts) to one CJS bundle
 * (issue 7). Keep it free of top-level await and of imports other than electron and ./api.
 */

import { contextBridge, ipcRenderer } from 'electron';
import { createPreloadApi } from './api.js';

contextBridge.exposeInMainWorld('poshpool', createPreloadApi(ipcRenderer));
