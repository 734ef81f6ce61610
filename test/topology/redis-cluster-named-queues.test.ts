import { engineConformanceFixture } from '../queues/support/engine-fixture';
import { describeQueueConformance } from '../queues/support/queue-conformance';
import { ClusterTopology } from '../support/redis-topologies';

/** The named-queue conformance suite (consumer groups, recurring, pause, progress, cross-process) on a three-master cluster. */
const cluster = new ClusterTopology();

beforeAll(() => cluster.start());
afterAll(() => cluster.stop());

describeQueueConformance(engineConformanceFixture(() => cluster.redisConfig()));
