import { describe, expect, it, vi } from 'vitest';
import { APP_URL } from './appProtocol.js';
import { dashboardWindowOptions, hardenContents, hardenSession, type HardenableContents, type HardenableSession } from './windowSecurity.js';

type NavListener = (event: { preventDefault(): void; url: string }) => void;
type PlainListener = (event: { preventDefault(): void }) => void;

/** A WebContents stand-in that records the listeners and the window open handler. */
class FakeContents implements HardenableContents {
  readonly listeners = new Map<string, ((event: never) => void)[]>();
  openHandler: ((details: { url: string }) => { action: 'deny' }) | undefined;

  on(event: 'will-navigate' | 'will-redirect', listener: NavListener): void;
  on(event: 'will-attach-webview', listener: PlainListener): void;
  on(event: string, listener: (event: never) => void): void {
    this.listeners.set(event, [...(this.listeners.get(event) ?? []), listener]);
  }
  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' }): void {
    this.openHandler = handler;
  }

  /** Emits an event as Electron would; returns whether a listener prevented it. */
  emit(event: string, url?: string): boolean {
    let prevented = false;
    const e = { url, preventDefault: () => (prevented = true) };
    const listeners = this.listeners.get(event) ?? [];
    expect(listeners.length, `a listener for ${event}`).toBeGreaterThan(0);
    for (const l of listeners) (l as (event: typeof e) => void)(e);
    return prevented;
  }
}

function hardened() {
  const contents = new FakeContents();
  const openExternal = vi.fn();
  hardenContents(contents, openExternal);
  return { contents, openExternal };
}

describe('dashboardWindowOptions', () => {
  it('meets the Electron security checklist', () => {
    const options = dashboardWindowOptions('/app/dist/preload/index.cjs');
    expect(options.webPreferences).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
    });
    expect(options.webPreferences?.preload).toBe('/app/dist/preload/index.cjs');
  });

  it('keeps the window hidden until it is ready to show', () => {
    expect(dashboardWindowOptions('/p.js').show).toBe(false);
  });

  it('sets the icon only when one is given', () => {
    expect(dashboardWindowOptions('/p.js')).not.toHaveProperty('icon');
    expect(dashboardWindowOptions('/p.js', '/icons/poshpool.png').icon).toBe('/icons/poshpool.png');
  });
});

describe('hardenContents', () => {
  for (const event of ['will-navigate', 'will-redirect']) {
    it(`${event}: prevents leaving for a web page or a local file`, () => {
      const { contents } = hardened();
      for (const url of ['https://example.com/', 'http://127.0.0.1:3000/', 'file:///etc/passwd', 'file:///C:/Windows/win.ini', 'poshpool-app://evil/index.html', 'javascript:alert(1)', 'about:blank', 'garbage']) {
        expect(contents.emit(event, url), url).toBe(true);
      }
    });

    it(`${event}: lets the app's own page through`, () => {
      const { contents } = hardened();
      expect(contents.emit(event, APP_URL)).toBe(false);
      expect(contents.emit(event, 'poshpool-app://dashboard/index.html')).toBe(false);
      expect(contents.emit(event, 'poshpool-app://dashboard/')).toBe(false);
    });
  }

  it('always prevents attaching a webview', () => {
    const { contents } = hardened();
    expect(contents.emit('will-attach-webview')).toBe(true);
  });

  it('denies every new window', () => {
    const { contents } = hardened();
    for (const url of ['https://example.com/', APP_URL, 'file:///etc/passwd', 'javascript:alert(1)', 'about:blank', '']) {
      expect(contents.openHandler!({ url }), url).toEqual({ action: 'deny' });
    }
  });

  it('opens http(s) links in the browser, and nothing else', () => {
    const { contents, openExternal } = hardened();
    contents.openHandler!({ url: 'https://github.com/poshpool/poshpool' });
    contents.openHandler!({ url: 'http://example.com/docs' });
    contents.openHandler!({ url: 'HTTPS://EXAMPLE.COM/' });
    for (const url of ['file:///etc/passwd', 'javascript:alert(1)', APP_URL, 'poshpool-app://evil/', 'smb://server/share', 'ms-settings:privacy', 'mailto:a@b.c', 'data:text/html,<b>x</b>', ' https://example.com/', 'httpsx://example.com']) {
      contents.openHandler!({ url });
    }
    expect(openExternal.mock.calls.map(([u]) => u)).toEqual(['https://github.com/poshpool/poshpool', 'http://example.com/docs', 'HTTPS://EXAMPLE.COM/']);
  });
});

describe('hardenSession', () => {
  function harden(withDevice = true) {
    let request: Parameters<HardenableSession['setPermissionRequestHandler']>[0] | undefined;
    let check: Parameters<HardenableSession['setPermissionCheckHandler']>[0] | undefined;
    let device: (() => boolean) | undefined;
    const session: HardenableSession = {
      setPermissionRequestHandler: (h) => (request = h),
      setPermissionCheckHandler: (h) => (check = h),
      ...(withDevice ? { setDevicePermissionHandler: (h: () => boolean) => (device = h) } : {}),
    };
    hardenSession(session);
    return { request: request!, check: check!, device };
  }

  const PERMISSIONS = ['media', 'notifications', 'clipboard-read', 'clipboard-sanitized-write', 'openExternal', 'geolocation', 'midi', 'pointerLock', 'fullscreen', 'hid', 'serial', 'usb', 'unknown'];

  it('answers every permission request with false', () => {
    const { request } = harden();
    expect(request).toBeTypeOf('function');
    for (const permission of PERMISSIONS) {
      const callback = vi.fn();
      request({}, permission, callback);
      expect(callback, permission).toHaveBeenCalledTimes(1);
      expect(callback, permission).toHaveBeenCalledWith(false);
    }
  });

  it('answers every permission check with false', () => {
    const { check } = harden();
    for (const permission of PERMISSIONS) expect(check({}, permission), permission).toBe(false);
  });

  it('denies device permissions', () => {
    const { device } = harden();
    expect(device).toBeTypeOf('function');
    expect(device!()).toBe(false);
  });

  it('works with a session that has no device permission handler', () => {
    expect(() => harden(false)).not.toThrow();
  });
});
