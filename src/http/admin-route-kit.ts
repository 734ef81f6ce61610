import type { FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { QueueError } from '../errors';

/** HTTP status of each typed error the admin API can meet; any other QueueError is bad input (400). */
export const STATUS_BY_CODE: Readonly<Record<string, number>> = {
  JOB_NOT_FOUND: 404,
  DLQ_ENTRY_NOT_FOUND: 404,
  REPROCESS_LIMIT_REACHED: 409,
  DLQ_ALREADY_REPROCESSED: 409,
  INVALID_STATE: 409,
};

/** Input that failed its schema: answered 400 with every problem listed. */
export class InvalidRequestInput extends Error {
  constructor(readonly problems: string[]) {
    super('invalid input');
    this.name = 'InvalidRequestInput';
  }
}

/** Validates one part of a request (params, query or body); a missing body counts as `{}`. */
export function parseInput<T extends z.ZodType>(schema: T, value: unknown): z.output<T> {
  const result = schema.safeParse(value ?? {});
  if (!result.success) {
    throw new InvalidRequestInput(result.error.issues.map((issue) => `${issue.path.join('.') || '(input)'}: ${issue.message}`));
  }
  return result.data;
}

/** The JSON body of every error answer of the admin API. */
export function errorBody(code: string, message: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { error: code, message, ...extra };
}

/** A guarded transition that missed: the job is gone (404) or in a status the action does not accept (409). */
export function sendTransitionMiss(reply: FastifyReply, jobId: string, action: string, reason: string): FastifyReply {
  if (reason === 'not_found') return reply.code(404).send(errorBody('JOB_NOT_FOUND', `No job with jobId "${jobId}"`));
  return reply.code(409).send(errorBody('INVALID_STATE', `Job ${jobId} cannot be ${action} (${reason})`));
}

function sendKnownError(reply: FastifyReply, error: unknown): FastifyReply {
  if (error instanceof InvalidRequestInput) {
    return reply.code(400).send(errorBody('INVALID_INPUT', 'the request is invalid', { problems: error.problems }));
  }
  if (error instanceof QueueError) {
    return reply.code(STATUS_BY_CODE[error.code] ?? 400).send(errorBody(error.code, error.message, error.details ? { details: error.details } : {}));
  }
  throw error;
}

/** What an admin handler sees: the raw request parts (validated inside) and the authenticated actor. */
export interface AdminRequest {
  params: unknown;
  query: unknown;
  body: unknown;
  /** The admin token's name: recorded as `by` in every audit entry the request causes. */
  actor: string;
}

type AdminHandler = (request: AdminRequest, reply: FastifyReply) => Promise<unknown>;

/** Wraps a handler: hands it the actor and maps validation and typed errors to their HTTP answers. */
export function adminRoute(handler: AdminHandler) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<unknown> => {
    // The guard runs first on every admin route, so a missing actor is a wiring bug, not a client error.
    if (!request.actor) throw new Error('admin route reached without an authenticated actor');
    try {
      return await handler({ params: request.params, query: request.query, body: request.body, actor: request.actor }, reply);
    } catch (error) {
      return sendKnownError(reply, error);
    }
  };
}
