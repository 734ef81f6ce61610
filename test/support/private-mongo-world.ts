import { PrivateMongo } from './private-mongo';
import { QueueHarness } from './queue-harness';

/**
 * A test file's harness plus a MongoDB of its own that tests stop and restart (outages): both
 * started before the file's tests; after them the MongoDB is started again (a test may leave it
 * stopped) so the harness can clean up, then disposed.
 */
export function harnessWithPrivateMongo(name: string): { harness: QueueHarness; mongo: PrivateMongo } {
  const harness = new QueueHarness(name);
  const mongo = new PrivateMongo();
  beforeAll(async () => {
    await Promise.all([harness.start(), mongo.start()]);
  });
  afterAll(async () => {
    await mongo.start();
    await harness.stop();
    await mongo.dispose();
  }, 60_000);
  return { harness, mongo };
}
