import type { AcquiredMongo } from '../../src/devservers/mongo';

export default async function globalTeardown(): Promise<void> {
  const mongo = (globalThis as { __queueTestMongo?: AcquiredMongo }).__queueTestMongo;
  await mongo?.stop();
}
