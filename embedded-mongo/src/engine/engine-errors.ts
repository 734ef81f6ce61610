import { EngineError } from './types';

/** Constructors for the MongoDB errors the engine raises, so codes and codeNames stay consistent. */
export const badValue = (msg: string): EngineError => new EngineError(2, 'BadValue', msg);
export const failedToParse = (msg: string): EngineError => new EngineError(9, 'FailedToParse', msg);
export const typeMismatch = (msg: string): EngineError => new EngineError(14, 'TypeMismatch', msg);
export const indexNotFound = (msg: string): EngineError => new EngineError(27, 'IndexNotFound', msg);
export const pathNotViable = (msg: string): EngineError => new EngineError(28, 'PathNotViable', msg);
export const conflictingUpdate = (msg: string): EngineError =>
  new EngineError(40, 'ConflictingUpdateOperators', msg);
export const namespaceExists = (msg: string): EngineError => new EngineError(48, 'NamespaceExists', msg);
export const immutableField = (msg: string): EngineError => new EngineError(66, 'ImmutableField', msg);
export const cannotCreateIndex = (msg: string): EngineError => new EngineError(67, 'CannotCreateIndex', msg);
export const indexOptionsConflict = (msg: string): EngineError =>
  new EngineError(85, 'IndexOptionsConflict', msg);
export const indexKeySpecsConflict = (msg: string): EngineError =>
  new EngineError(86, 'IndexKeySpecsConflict', msg);
export const parallelArrays = (msg: string): EngineError =>
  new EngineError(171, 'CannotIndexParallelArrays', msg);
export const invalidOptions = (msg: string): EngineError => new EngineError(72, 'InvalidOptions', msg);

/** Any error thrown by mingo or by a bug becomes an EngineError; mingo's are bad input (2). */
export function toEngineError(err: unknown): EngineError {
  if (err instanceof EngineError) return err;
  if (err instanceof Error) {
    if (err.name === 'MingoError' || err.constructor.name === 'MingoError') return badValue(err.message);
    return new EngineError(1, 'InternalError', err.message);
  }
  return new EngineError(1, 'InternalError', String(err));
}
