import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DASHBOARD_CSP, staticFiles } from './staticFiles.js';

let dir: string;
let server: Server;
let port: number;

function get(pathname: string, method = 'GET'): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: pathname, method }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'poshpool-static-'));
  const site = path.join(dir, 'site');
  mkdirSync(path.join(site, 'assets'), { recursive: true });
  writeFileSync(path.join(site, 'index.html'), '<!doctype html><title>dash</title>');
  writeFileSync(path.join(site, 'assets', 'app.js'), 'console.info(1)');
  writeFileSync(path.join(dir, 'secret.txt'), 'outside');
  server = createServer(staticFiles(site));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as { port: number }).port;
});
afterAll(async () => {
  await new Promise<void>((r) => server.close(() => r()));
  rmSync(dir, { recursive: true, force: true });
});

describe('staticFiles', () => {
  it('serves files with their type and the strict CSP', async () => {
    const js = await get('/assets/app.js');
    expect(js).toMatchObject({ status: 200, body: 'console.info(1)' });
    expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(js.headers['content-security-policy']).toBe(DASHBOARD_CSP);
    expect(DASHBOARD_CSP).toContain("default-src 'self'");
    const index = await get('/');
    expect(index.body).toContain('<title>dash</title>');
    expect(index.headers['cache-control']).toBe('no-store');
  });

  it('never reads outside its folder and answers unknown paths with the page', async () => {
    expect((await get('/../secret.txt')).body).not.toContain('outside');
    expect((await get('/%2e%2e/secret.txt')).body).not.toContain('outside');
    expect((await get('/sessions/whatever')).body).toContain('<title>dash</title>');
    expect((await get('/', 'POST')).status).toBe(405);
  });
});
