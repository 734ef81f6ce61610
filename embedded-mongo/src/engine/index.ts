/**
 * The embedded server's storage engine: MongoDB semantics over in-memory,
 * synchronously updated collections. See types.ts for the contract.
 */
import { StorageEngine, type EngineOptions } from './engine';
import type { Engine } from './types';

export * from './types';
export type { EngineOptions } from './engine';
export { compareBson, bsonEquals } from './bson-order';

export function createEngine(options?: EngineOptions): Engine {
  return new StorageEngine(options);
}
