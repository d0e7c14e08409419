/** Browser entry: the bridge and the store are made and connected outside React, then <App/> renders. */

import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { createIpcBridge } from './bridge/ipcBridge.js';
import { createWebBridge } from './bridge/webBridge.js';
import { connectStore } from './store/connectStore.js';
import { createDashboardStore } from './store/createDashboardStore.js';
import { App } from './views/App.js';
import { DashboardProvider } from './views/DashboardContext.js';
import { applyThemePreference, pageStorage, readThemePreference } from './views/theme.js';
import './styles.css';

// Inside the Electron app the preload exposes window.poshpool; in a browser the host serves the page.
const bridge = window.poshpool !== undefined ? createIpcBridge(window.poshpool) : createWebBridge();
const store = createDashboardStore();
const disconnect = connectStore(bridge, store);

// The page owns the bridge and the connection; a real unload (not a bfcache hide) releases them.
window.addEventListener('pagehide', (e) => {
  if (e.persisted) return;
  disconnect();
  bridge.dispose();
});

// The person's theme before the first paint, so a dark choice does not flash light.
applyThemePreference(document.documentElement, readThemePreference(pageStorage()));

const root = document.getElementById('root');
if (root === null) throw new Error('index.html has no #root element.');
createRoot(root).render(
  <StrictMode>
    <DashboardProvider store={store} bridge={bridge}>
      <App />
    </DashboardProvider>
  </StrictMode>,
);
