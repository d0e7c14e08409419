/** `window.poshpool`: present only inside the Electron app, where the preload exposes it. */

import type { PoshpoolPreloadApi } from '../../common/ipc.js';

declare global {
  interface Window {
    readonly poshpool?: PoshpoolPreloadApi;
  }
}

export {};
