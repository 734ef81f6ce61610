import { createEngine, EngineError, type Engine, type EngineCollection } from '../../src/engine';

export function freshCollection(name = 'c'): { engine: Engine; coll: EngineCollection } {
  const engine = createEngine();
  const coll = engine.database('test').collection(name, true);
  if (!coll) throw new Error('collection not created');
  return { engine, coll };
}

/** Runs fn and returns the EngineError code it threw (fails the test if it did not throw one). */
export function codeOf(fn: () => unknown): number {
  try {
    fn();
  } catch (err) {
    if (err instanceof EngineError) return err.code;
    throw err;
  }
  throw new Error('expected an EngineError');
}
