import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';

/** Name of the dashboard's session cookie. */
export const SESSION_COOKIE_NAME = 'poshpool_session';
/** How long a one-time sign-in code can be redeemed. */
export const DEFAULT_CODE_TTL_MS = 60_000;
/** How long a dashboard session cookie stays valid. */
export const DEFAULT_SESSION_TTL_MS = 12 * 60 * 60 * 1000;
/** Most sign-in codes waiting to be redeemed; issuing more forgets the oldest. */
export const DEFAULT_MAX_PENDING_CODES = 16;
/** Random bytes in a code and in a session cookie value (base64url: 43 characters). */
export const SECRET_BYTES = 32;

/** The shape of the codes and cookie values issued here; anything else is refused before hashing. */
const SECRET_PATTERN = /^[A-Za-z0-9_-]{43}$/;
/** Most cookies of our name looked at in one request (a browser sends one). */
const MAX_COOKIES_CHECKED = 4;

/** The part of a request a cookie check reads. */
export type RequestHeaders = Pick<IncomingMessage, 'headers'>;

/** Tells whether a request carries a valid dashboard session cookie. */
export interface CookieValidator {
  validCookie(req: RequestHeaders): boolean;
}

export interface CodeIssuerOptions {
  /** How long a code can be redeemed, in ms (default {@link DEFAULT_CODE_TTL_MS}). */
  codeTtlMs?: number;
  /** How long a session cookie is valid, in ms (default {@link DEFAULT_SESSION_TTL_MS}). */
  sessionTtlMs?: number;
  /** Most codes waiting at once (default {@link DEFAULT_MAX_PENDING_CODES}). */
  maxPendingCodes?: number;
  /** Clock in ms since the epoch (tests inject one). */
  now?: () => number;
  /** Where session digests are kept so they outlive a restart (user-only file; none: memory only). */
  sessionsFile?: string;
}

/** A redeemed code: the cookie value and the `Set-Cookie` header that hands it to the browser. */
export type RedeemResult = { ok: true; cookie: string; setCookie: string; expiresAt: number } | { ok: false; reason: string };

/**
 * One-time sign-in codes for the dashboard, and the sessions they open. A holder of the bearer token
 * asks for a code; the browser redeems it once, within the code ttl, for an HttpOnly SameSite=Strict
 * cookie valid for the session ttl. The token itself never reaches the browser or a URL.
 *
 * Codes and cookie values are kept only as SHA-256 digests, looked up by digest: how long a lookup
 * takes depends on the digest of what was presented, which tells an attacker nothing about a valid
 * value, so the check is constant time with respect to the secrets.
 */
export class CodeIssuer implements CookieValidator {
  private readonly codes = new Map<string, number>();
  private readonly sessions = new Map<string, number>();
  private readonly codeTtlMs: number;
  private readonly sessionTtlMs: number;
  private readonly maxPendingCodes: number;
  private readonly now: () => number;

  private readonly sessionsFile: string | undefined;

  constructor(options: CodeIssuerOptions = {}) {
    this.codeTtlMs = options.codeTtlMs ?? DEFAULT_CODE_TTL_MS;
    this.sessionTtlMs = options.sessionTtlMs ?? DEFAULT_SESSION_TTL_MS;
    this.maxPendingCodes = Math.max(1, options.maxPendingCodes ?? DEFAULT_MAX_PENDING_CODES);
    this.now = options.now ?? Date.now;
    this.sessionsFile = options.sessionsFile;
    this.loadSessions();
  }

  /** Dashboard sessions outlive a host restart: their digests (never the cookies) are kept in a user-only file. */
  private loadSessions(): void {
    if (!this.sessionsFile) return;
    try {
      const saved = JSON.parse(readFileSync(this.sessionsFile, 'utf8')) as Record<string, number>;
      const now = this.now();
      for (const [key, expiresAt] of Object.entries(saved)) {
        if (/^[A-Za-z0-9_-]{43}$/.test(key) && typeof expiresAt === 'number' && expiresAt > now) this.sessions.set(key, expiresAt);
      }
    } catch {
      // No file yet, or an unreadable one: start with no sessions (people sign in again).
    }
  }

  private saveSessions(): void {
    if (!this.sessionsFile) return;
    try {
      const tmp = `${this.sessionsFile}.${process.pid}.tmp`;
      writeFileSync(tmp, JSON.stringify(Object.fromEntries(this.sessions)), { mode: 0o600 });
      renameSync(tmp, this.sessionsFile);
    } catch {
      // Not fatal: the sessions still work until this host stops.
    }
  }

  /** A fresh single-use sign-in code, valid for the code ttl. */
  issue(): string {
    this.prune();
    while (this.codes.size >= this.maxPendingCodes) {
      const oldest = this.codes.keys().next();
      if (oldest.done) break;
      this.codes.delete(oldest.value);
    }
    const code = randomBytes(SECRET_BYTES).toString('base64url');
    this.codes.set(digest(code), this.now() + this.codeTtlMs);
    return code;
  }

  /** Redeems a code once: a new session cookie, or why not (unknown, used or expired). */
  redeem(code: string): RedeemResult {
    const key = SECRET_PATTERN.test(code) ? digest(code) : null;
    const expiresAt = key === null ? undefined : this.codes.get(key);
    if (key !== null) this.codes.delete(key);
    const now = this.now();
    this.prune();
    if (expiresAt === undefined) {
      return { ok: false, reason: 'This sign-in code is unknown or was already used; ask poshpool for a new one (codes work once).' };
    }
    if (expiresAt <= now) {
      return { ok: false, reason: `This sign-in code has expired (codes last ${Math.round(this.codeTtlMs / 1000)} s); ask poshpool for a new one.` };
    }
    const cookie = randomBytes(SECRET_BYTES).toString('base64url');
    const sessionExpiresAt = now + this.sessionTtlMs;
    this.sessions.set(digest(cookie), sessionExpiresAt);
    this.saveSessions();
    return { ok: true, cookie, setCookie: sessionSetCookie(cookie, this.sessionTtlMs), expiresAt: sessionExpiresAt };
  }

  /** True when the request carries a session cookie issued here and not yet expired or revoked. */
  validCookie(req: RequestHeaders): boolean {
    const now = this.now();
    for (const value of cookieValues(req, SESSION_COOKIE_NAME).slice(0, MAX_COOKIES_CHECKED)) {
      if (!SECRET_PATTERN.test(value)) continue;
      const expiresAt = this.sessions.get(digest(value));
      if (expiresAt !== undefined && expiresAt > now) return true;
    }
    return false;
  }

  /** Ends the sessions of the cookies the request carries (sign-out). Returns how many it ended. */
  revoke(req: RequestHeaders): number {
    let ended = 0;
    for (const value of cookieValues(req, SESSION_COOKIE_NAME).slice(0, MAX_COOKIES_CHECKED)) {
      if (SECRET_PATTERN.test(value) && this.sessions.delete(digest(value))) ended++;
    }
    if (ended > 0) this.saveSessions();
    return ended;
  }

  /** Forgets every code and session. */
  dispose(): void {
    this.codes.clear();
    this.sessions.clear();
  }

  private prune(): void {
    const now = this.now();
    for (const [key, expiresAt] of this.codes) if (expiresAt <= now) this.codes.delete(key);
    for (const [key, expiresAt] of this.sessions) if (expiresAt <= now) this.sessions.delete(key);
  }
}

/**
 * The `Set-Cookie` header for a session cookie: HttpOnly, SameSite=Strict, Path=/, Max-Age from the
 * ttl. No `Secure`: the dashboard is plain http on loopback, where a Secure cookie would not be sent.
 */
export function sessionSetCookie(value: string, ttlMs: number, name: string = SESSION_COOKIE_NAME): string {
  return `${name}=${value}; HttpOnly; SameSite=Strict; Path=/; Max-Age=${Math.max(0, Math.floor(ttlMs / 1000))}`;
}

/** The `Set-Cookie` header that removes the session cookie from the browser (sign-out). */
export function clearSessionCookie(name: string = SESSION_COOKIE_NAME): string {
  return `${name}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0`;
}

/** Every value of the named cookie in the request's `Cookie` header(s), in order. */
export function cookieValues(req: RequestHeaders, name: string): string[] {
  const header = req.headers.cookie;
  if (header === undefined) return [];
  const values: string[] = [];
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() !== name) continue;
    let value = part.slice(eq + 1).trim();
    if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
    values.push(value);
  }
  return values;
}

function digest(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('base64url');
}
