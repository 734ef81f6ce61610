import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AdminToken } from '../config/environment';

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

/**
 * Bearer-token check in constant time: every token is compared (as equal-length digests), so
 * neither the length nor the position of a match leaks through timing. Returns the token's name.
 */
export function authenticate(tokens: readonly AdminToken[], header: string | undefined): string | undefined {
  const match = /^Bearer\s+(\S+)$/i.exec(header ?? '');
  const presented = digest(match?.[1] ?? '');
  let actor: string | undefined;
  for (const token of tokens) {
    if (timingSafeEqual(presented, digest(token.token)) && match) actor ??= token.name;
  }
  return actor;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The admin token's name: the actor recorded in audit entries. */
    actor?: string;
  }
}

export function adminGuard(tokens: readonly AdminToken[]) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const actor = authenticate(tokens, request.headers.authorization);
    if (!actor) {
      await reply.code(401).header('www-authenticate', 'Bearer').send({ error: 'UNAUTHORIZED', message: 'a valid admin bearer token is required' });
      return;
    }
    request.actor = actor;
  };
}
