import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DASHBOARD_CSP } from '../host/http/staticFiles.js';
import { APP_URL, isAppUrl, serveAppRequest } from './appProtocol.js';

const SECRET = 'TOP-SECRET-outside-the-root';
const INDEX = '<!doctype html><title>poshpool</title>';
const APP_JS = 'export const answer = 42;';
const STYLE = 'body { color: black; }';

let dir: string;
let root: string;

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'poshpool-appproto-'));
  root = path.join(dir, 'site');
  mkdirSync(path.join(root, 'assets'), { recursive: true });
  writeFileSync(path.join(root, 'index.html'), INDEX);
  writeFileSync(path.join(root, 'assets', 'app.js'), APP_JS);
  writeFileSync(path.join(root, 'assets', 'style.css'), STYLE);
  // Next to the root, and in a sibling whose name starts with the root's name.
  writeFileSync(path.join(dir, 'secret.txt'), SECRET);
  mkdirSync(path.join(dir, 'site-private'));
  writeFileSync(path.join(dir, 'site-private', 'secret.txt'), SECRET);
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

function get(url: string, method = 'GET'): Promise<Response> {
  return serveAppRequest({ url, method }, root);
}

describe('serveAppRequest', () => {
  it('serves index.html with its type, the dashboard CSP and nosniff', async () => {
    const res = await get('poshpool-app://dashboard/index.html');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('content-security-policy')).toBe(DASHBOARD_CSP);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await res.text()).toBe(INDEX);
  });

  it('serves the page the window loads (APP_URL)', async () => {
    const res = await get(APP_URL);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe(INDEX);
  });

  it('maps / to index.html', async () => {
    const res = await get('poshpool-app://dashboard/');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(await res.text()).toBe(INDEX);
  });

  it('serves scripts and styles with their content types', async () => {
    const js = await get('poshpool-app://dashboard/assets/app.js');
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(js.headers.get('content-security-policy')).toBe(DASHBOARD_CSP);
    // The scheme is CORS-enabled for module scripts; no response lets another origin read it.
    expect(js.headers.get('access-control-allow-origin')).toBeNull();
    expect(await js.text()).toBe(APP_JS);

    const css = await get('poshpool-app://dashboard/assets/style.css');
    expect(css.status).toBe(200);
    expect(css.headers.get('content-type')).toBe('text/css; charset=utf-8');
    expect(await css.text()).toBe(STYLE);
  });

  it('answers HEAD with the headers and no body', async () => {
    const res = await get('poshpool-app://dashboard/index.html', 'HEAD');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('content-security-policy')).toBe(DASHBOARD_CSP);
    expect(res.body).toBeNull();
    expect(await res.text()).toBe('');
  });

  it('answers 404 for a file the build does not have', async () => {
    const res = await get('poshpool-app://dashboard/assets/missing.js');
    expect(res.status).toBe(404);
    expect(res.headers.get('content-security-policy')).toBe(DASHBOARD_CSP);
  });

  it('answers 404 for a directory', async () => {
    expect((await get('poshpool-app://dashboard/assets')).status).toBe(404);
    expect((await get('poshpool-app://dashboard/assets/')).status).toBe(404);
  });

  it('answers 404 for another host or another scheme, even for a file that exists', async () => {
    expect((await get('poshpool-app://evil/index.html')).status).toBe(404);
    expect((await get('https://dashboard/index.html')).status).toBe(404);
    expect((await get('file:///index.html')).status).toBe(404);
    expect((await get('not a url at all')).status).toBe(404);
  });

  it('answers 405 with allow for other methods', async () => {
    for (const method of ['POST', 'PUT', 'DELETE', 'OPTIONS']) {
      const res = await get('poshpool-app://dashboard/index.html', method);
      expect(res.status).toBe(405);
      expect(res.headers.get('allow')).toBe('GET, HEAD');
      expect(await res.text()).not.toContain(INDEX);
    }
  });

  it('never reads a file outside the root, however the path is encoded', async () => {
    const attempts = [
      'poshpool-app://dashboard/..%2f..%2fsecret.txt',
      'poshpool-app://dashboard/..%2fsecret.txt',
      'poshpool-app://dashboard/%2e%2e/secret.txt',
      'poshpool-app://dashboard/%2e%2e%2fsecret.txt',
      'poshpool-app://dashboard/assets/%2e%2e/%2e%2e/secret.txt',
      'poshpool-app://dashboard/assets/..%2f..%2f..%2fsecret.txt',
      'poshpool-app://dashboard/%2E%2E%2Fsecret.txt',
      'poshpool-app://dashboard/..%2fsite-private%2fsecret.txt',
      'poshpool-app://dashboard/..%5c..%5csecret.txt',
      `poshpool-app://dashboard/${encodeURIComponent(path.join(dir, 'secret.txt'))}`,
      'poshpool-app://dashboard/../secret.txt',
    ];
    for (const url of attempts) {
      const res = await get(url);
      expect(res.status, url).toBe(404);
      expect(await res.text(), url).not.toContain(SECRET);
    }
  });

  it('answers 400 for a malformed percent-encoding instead of throwing', async () => {
    const res = await get('poshpool-app://dashboard/%E0%A4%A');
    expect(res.status).toBe(400);
    expect(res.headers.get('content-security-policy')).toBe(DASHBOARD_CSP);
  });

  it('answers 404 for a path with a NUL byte instead of throwing', async () => {
    expect((await get('poshpool-app://dashboard/index.html%00.js')).status).toBe(404);
  });
});

describe('isAppUrl', () => {
  it('accepts the dashboard origin on the app scheme', () => {
    expect(isAppUrl(APP_URL)).toBe(true);
    expect(isAppUrl('poshpool-app://dashboard/index.html')).toBe(true);
    expect(isAppUrl('poshpool-app://dashboard/')).toBe(true);
    expect(isAppUrl('poshpool-app://dashboard/assets/app.js?x=1#top')).toBe(true);
  });

  it('refuses other hosts, schemes, ports and garbage', () => {
    for (const url of [
      'poshpool-app://evil/index.html',
      'poshpool-app://dashboard.evil.com/index.html',
      'poshpool-app://dashboard:8080/index.html',
      'poshpool-app://other/',
      'https://dashboard/index.html',
      'http://dashboard/index.html',
      'file:///index.html',
      'javascript:alert(1)',
      'poshpool-app:dashboard/index.html',
      '',
      'dashboard',
      '/index.html',
      'not a url',
      '::::',
    ]) {
      expect(isAppUrl(url), url).toBe(false);
    }
  });
});
