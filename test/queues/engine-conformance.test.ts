import { LocalRedisServer } from '../../src/devservers/redis';
import { engineConformanceFixture } from './support/engine-fixture';
import { describeQueueConformance } from './support/queue-conformance';

const redis = new LocalRedisServer();

beforeAll(async () => {
  await redis.start();
});

afterAll(async () => {
  await redis.stop();
});

describeQueueConformance(engineConformanceFixture(() => ({ host: '127.0.0.1', port: redis.port, db: 0 })));
