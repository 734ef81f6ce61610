import { createHash } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AdminRole, AdminToken } from '../config/environment';
import { roleOf } from '../http/admin-auth';

export const SESSION_COOKIE = 'queue_dashboard_session';
/** A session ends this long after sign-in; signing in again starts a new one. */
export const SESSION_TTL_MS = 8 * 60 * 60 * 1000;

/** Who is signed in: the token's name (the actor of audit entries) and its current role. */
export interface DashboardSession {
  actor: string;
  role: AdminRole;
  expiresAt: number;
}

/**
 * The key that signs session cookies, derived from every configured token: changing or removing
 * any token ends every session, and replicas configured alike accept each other's cookies.
 */
export function sessionSecret(tokens: readonly AdminToken[]): string {
  const material = tokens.map((t) => `${t.name}:${t.token}:${roleOf(t)}`).sort().join('\n');
  return createHash('sha256').update(`queue-dashboard-session\n${material}`).digest('hex');
}

/** The cookie's options: unreadable by scripts, never sent by another site, HTTPS-only when served over HTTPS. */
export function sessionCookieOptions(maxAgeMs: number) {
  return { path: '/dashboard', httpOnly: true, sameSite: 'strict' as const, secure: 'auto' as const, signed: true, maxAge: Math.floor(maxAgeMs / 1000) };
}

export function startSession(reply: FastifyReply, token: AdminToken, now = Date.now()): void {
  const value = JSON.stringify({ actor: token.name, expiresAt: now + SESSION_TTL_MS });
  void reply.setCookie(SESSION_COOKIE, Buffer.from(value).toString('base64url'), sessionCookieOptions(SESSION_TTL_MS));
}

export function endSession(reply: FastifyReply): void {
  void reply.clearCookie(SESSION_COOKIE, sessionCookieOptions(0));
}

/**
 * The session of a request: a cookie this server signed, not expired, naming a token that still
 * exists. The role is read from the configuration now, so a changed role applies at once.
 */
export function readSession(request: FastifyRequest, tokens: readonly AdminToken[], now = Date.now()): DashboardSession | undefined {
  const raw = request.cookies[SESSION_COOKIE];
  if (!raw) return undefined;
  const unsigned = request.unsignCookie(raw);
  if (!unsigned.valid || unsigned.value === null) return undefined;
  try {
    const parsed = JSON.parse(Buffer.from(unsigned.value, 'base64url').toString('utf8')) as { actor?: unknown; expiresAt?: unknown };
    if (typeof parsed.actor !== 'string' || typeof parsed.expiresAt !== 'number' || parsed.expiresAt <= now) return undefined;
    const token = tokens.find((t) => t.name === parsed.actor);
    return token ? { actor: token.name, role: roleOf(token), expiresAt: parsed.expiresAt } : undefined;
  } catch {
    return undefined;
  }
}
