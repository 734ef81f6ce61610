/**
 * What a guarded transition returns. A miss is not an exception: the guard (status,
 * lease owner, lock token) did not match, which is normal under concurrency.
 */
export type TransitionResult<T = undefined> =
  | { ok: true; value: T }
  | { ok: false; reason: TransitionMiss };

export const TransitionMiss = {
  /** The job is not in a status this transition starts from. */
  WrongStatus: 'wrong_status',
  /** The caller's lease was lost: another worker (or the sweeper) changed the job. */
  Fenced: 'fenced',
  NotFound: 'not_found',
} as const;
export type TransitionMiss = (typeof TransitionMiss)[keyof typeof TransitionMiss];

export function hit<T>(value: T): TransitionResult<T> {
  return { ok: true, value };
}

export function miss<T = undefined>(reason: TransitionMiss): TransitionResult<T> {
  return { ok: false, reason };
}
