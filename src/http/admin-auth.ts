import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AdminRole, type AdminToken } from '../config/environment';

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

/** A token's role; tokens configured before roles existed are admins. */
export function roleOf(token: Pick<AdminToken, 'role'>): AdminRole {
  return token.role ?? AdminRole.Admin;
}

/**
 * The token equal to `presented`, compared in constant time: every token is compared (as
 * equal-length digests), so neither the length nor the position of a match leaks through timing.
 */
export function findToken(tokens: readonly AdminToken[], presented: string | undefined): AdminToken | undefined {
  const given = digest(presented ?? '');
  let found: AdminToken | undefined;
  for (const token of tokens) {
    if (timingSafeEqual(given, digest(token.token)) && presented) found ??= token;
  }
  return found;
}

/** Bearer-token check: the matching token's name, or undefined. */
export function authenticate(tokens: readonly AdminToken[], header: string | undefined): string | undefined {
  return authenticateBearer(tokens, header)?.name;
}

function authenticateBearer(tokens: readonly AdminToken[], header: string | undefined): AdminToken | undefined {
  const match = /^Bearer\s+(\S+)$/i.exec(header ?? '');
  return findToken(tokens, match?.[1]);
}

/** Methods that only read: a read-only token may use these and nothing else. */
export function isReadOnlyMethod(method: string): boolean {
  return method === 'GET' || method === 'HEAD';
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The admin token's name: the actor recorded in audit entries. */
    actor?: string;
  }
}

export function adminGuard(tokens: readonly AdminToken[]) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const token = authenticateBearer(tokens, request.headers.authorization);
    if (!token) {
      await reply.code(401).header('www-authenticate', 'Bearer').send({ error: 'UNAUTHORIZED', message: 'a valid admin bearer token is required' });
      return;
    }
    if (roleOf(token) === AdminRole.Read && !isReadOnlyMethod(request.method)) {
      await reply.code(403).send({ error: 'FORBIDDEN', message: `token "${token.name}" is read-only: changes need a token with the admin role` });
      return;
    }
    request.actor = token.name;
  };
}
