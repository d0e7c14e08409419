import { describe, expect, it } from 'vitest';
import { onPosix } from '../../../test/platformGates.js';
import { clearSessionCookie, CodeIssuer, cookieValues, SESSION_COOKIE_NAME, sessionSetCookie } from './cookie.js';

const withCookie = (cookie: string | undefined) => ({ headers: cookie === undefined ? {} : { cookie } });

function issuer(options: ConstructorParameters<typeof CodeIssuer>[0] = {}) {
  const clock = { t: 1_000_000 };
  return { clock, codes: new CodeIssuer({ now: () => clock.t, ...options }) };
}

describe('CodeIssuer', () => {
  it('issues distinct random codes that redeem once for a 12 h HttpOnly SameSite=Strict cookie', () => {
    const { clock, codes } = issuer();
    const code = codes.issue();
    expect(code).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(codes.issue()).not.toBe(code);

    const redeemed = codes.redeem(code);
    if (!redeemed.ok) throw new Error(redeemed.reason);
    expect(redeemed.cookie).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(redeemed.cookie).not.toBe(code);
    expect(redeemed.expiresAt).toBe(clock.t + 12 * 60 * 60 * 1000);
    expect(redeemed.setCookie).toBe(`${SESSION_COOKIE_NAME}=${redeemed.cookie}; HttpOnly; SameSite=Strict; Path=/; Max-Age=43200`);
    expect(redeemed.setCookie).not.toContain('Secure');

    const again = codes.redeem(code);
    expect(again).toEqual({ ok: false, reason: expect.stringContaining('unknown or was already used') });
  });

  it('lets a code expire after the ttl (default 60 s) on the injected clock', () => {
    const { clock, codes } = issuer();
    const early = codes.issue();
    const late = codes.issue();
    clock.t += 59_999;
    expect(codes.redeem(early).ok).toBe(true);
    clock.t += 1;
    expect(codes.redeem(late)).toEqual({ ok: false, reason: expect.stringContaining('expired (codes last 60 s)') });
  });

  it('honours a configured code ttl and session ttl', () => {
    const { clock, codes } = issuer({ codeTtlMs: 5_000, sessionTtlMs: 10_000 });
    const code = codes.issue();
    clock.t += 5_000;
    expect(codes.redeem(code)).toEqual({ ok: false, reason: expect.stringContaining('expired (codes last 5 s)') });
    const fresh = codes.redeem(codes.issue());
    if (!fresh.ok) throw new Error(fresh.reason);
    expect(fresh.setCookie).toContain('Max-Age=10');
    const req = withCookie(`${SESSION_COOKIE_NAME}=${fresh.cookie}`);
    clock.t += 9_999;
    expect(codes.validCookie(req)).toBe(true);
    clock.t += 1;
    expect(codes.validCookie(req)).toBe(false);
  });

  it('refuses codes it never issued, of any shape', () => {
    const { codes } = issuer();
    codes.issue();
    for (const bogus of ['', 'x', 'A'.repeat(43), 'A'.repeat(10_000), `${codes.issue()}x`]) {
      expect(codes.redeem(bogus)).toEqual({ ok: false, reason: expect.stringContaining('unknown') });
    }
  });

  it('keeps at most maxPendingCodes, forgetting the oldest', () => {
    const { codes } = issuer({ maxPendingCodes: 2 });
    const first = codes.issue();
    const second = codes.issue();
    const third = codes.issue();
    expect(codes.redeem(first).ok).toBe(false);
    expect(codes.redeem(second).ok).toBe(true);
    expect(codes.redeem(third).ok).toBe(true);
  });

  it('accepts only its own live cookies: forged, missing, revoked and disposed ones fail', () => {
    const { codes } = issuer();
    const redeemed = codes.redeem(codes.issue());
    if (!redeemed.ok) throw new Error(redeemed.reason);
    const good = withCookie(`theme=dark; ${SESSION_COOKIE_NAME}=${redeemed.cookie}; other=1`);
    expect(codes.validCookie(good)).toBe(true);
    expect(codes.validCookie(withCookie(`${SESSION_COOKIE_NAME}="${redeemed.cookie}"`))).toBe(true);

    const forged = `${redeemed.cookie.slice(0, -1)}${redeemed.cookie.endsWith('A') ? 'B' : 'A'}`;
    expect(codes.validCookie(withCookie(`${SESSION_COOKIE_NAME}=${forged}`))).toBe(false);
    expect(codes.validCookie(withCookie(`other_name=${redeemed.cookie}`))).toBe(false);
    expect(codes.validCookie(withCookie(undefined))).toBe(false);
    expect(codes.validCookie(withCookie(`${SESSION_COOKIE_NAME}=`))).toBe(false);

    expect(codes.revoke(good)).toBe(1);
    expect(codes.validCookie(good)).toBe(false);

    const second = codes.redeem(codes.issue());
    if (!second.ok) throw new Error(second.reason);
    codes.dispose();
    expect(codes.validCookie(withCookie(`${SESSION_COOKIE_NAME}=${second.cookie}`))).toBe(false);
  });

  it('does not accept a code as a cookie, nor a cookie as a code', () => {
    const { codes } = issuer();
    const code = codes.issue();
    expect(codes.validCookie(withCookie(`${SESSION_COOKIE_NAME}=${code}`))).toBe(false);
    const redeemed = codes.redeem(code);
    if (!redeemed.ok) throw new Error(redeemed.reason);
    expect(codes.redeem(redeemed.cookie).ok).toBe(false);
  });

  it('keeps sessions per instance', () => {
    const a = issuer().codes;
    const b = issuer().codes;
    const redeemed = a.redeem(a.issue());
    if (!redeemed.ok) throw new Error(redeemed.reason);
    expect(b.validCookie(withCookie(`${SESSION_COOKIE_NAME}=${redeemed.cookie}`))).toBe(false);
  });
});

describe('cookie headers', () => {
  it('builds and clears the session cookie', () => {
    expect(sessionSetCookie('v', 90_500)).toBe(`${SESSION_COOKIE_NAME}=v; HttpOnly; SameSite=Strict; Path=/; Max-Age=90`);
    expect(clearSessionCookie()).toBe(`${SESSION_COOKIE_NAME}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0`);
  });

  it('reads every value of a cookie name in order', () => {
    expect(cookieValues(withCookie('a=1; b=2;a="3" ; broken; c=4=5'), 'a')).toEqual(['1', '3']);
    expect(cookieValues(withCookie('c=4=5'), 'c')).toEqual(['4=5']);
    expect(cookieValues(withCookie(undefined), 'a')).toEqual([]);
  });
});

describe('CodeIssuer sessions file', () => {
  it('keeps session digests (never cookies) across a restart', async () => {
    const { mkdtempSync, readFileSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const path = await import('node:path');
    const dir = mkdtempSync(path.join(tmpdir(), 'poshpool-cookies-'));
    const file = path.join(dir, 'sessions.json');
    const first = new CodeIssuer({ sessionsFile: file });
    const redeemed = first.redeem(first.issue());
    if (!redeemed.ok) throw new Error(redeemed.reason);
    const headers = { headers: { cookie: `poshpool_session=${redeemed.cookie}` } };
    expect(readFileSync(file, 'utf8')).not.toContain(redeemed.cookie);
    const second = new CodeIssuer({ sessionsFile: file });
    expect(second.validCookie(headers)).toBe(true);
    expect(second.revoke(headers)).toBe(1);
    expect(new CodeIssuer({ sessionsFile: file }).validCookie(headers)).toBe(false);
    rmSync(dir, { recursive: true, force: true });
  });

  it.runIf(onPosix)('writes the sessions file user-only, 0600 (POSIX-only: file modes; Windows uses an ACL)', async () => {
    const { mkdtempSync, rmSync, statSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const path = await import('node:path');
    const dir = mkdtempSync(path.join(tmpdir(), 'poshpool-cookies-'));
    const file = path.join(dir, 'sessions.json');
    const issuer = new CodeIssuer({ sessionsFile: file });
    expect(issuer.redeem(issuer.issue()).ok).toBe(true);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    rmSync(dir, { recursive: true, force: true });
  });
});
