import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { Secret } from 'kubernetes-models/v1/Secret';
import { Service } from 'kubernetes-models/v1/Service';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler';
import { ScaledObject } from '@kubernetes-models/keda/keda.sh/v1alpha1/ScaledObject';
import { ServiceMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor';
import { documentedVariables } from '../../src/config/variable-catalog';
import { resolveQueueConfig } from '../../src/config/queue-config';

const ROOT = join(__dirname, '..', '..');
const K8S = join(ROOT, 'k8s');

type Manifest = { apiVersion: string; kind: string; metadata: { name: string; labels?: Record<string, string> }; [key: string]: unknown };

function load(file: string): Manifest[] {
  const docs = parseAllDocuments(readFileSync(join(K8S, file), 'utf8'));
  for (const doc of docs) expect(doc.errors).toEqual([]);
  return docs.map((d) => d.toJSON() as Manifest);
}

const VALIDATORS: Record<string, new (data: never) => { validate(): void }> = {
  ConfigMap: ConfigMap as never,
  Secret: Secret as never,
  Service: Service as never,
  Deployment: Deployment as never,
  PodDisruptionBudget: PodDisruptionBudget as never,
  HorizontalPodAutoscaler: HorizontalPodAutoscaler as never,
  ScaledObject: ScaledObject as never,
  ServiceMonitor: ServiceMonitor as never,
};

describe('Kubernetes manifests', () => {
  const kustomization = load('kustomization.yaml')[0] as unknown as { resources: string[] };
  const manifests = kustomization.resources.flatMap(load);
  const byKind = (kind: string) => manifests.find((m) => m.kind === kind) as never as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

  it('lists every manifest file in kustomization.yaml, each parsing as YAML', () => {
    const files = readdirSync(K8S).filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml');
    expect([...kustomization.resources].sort()).toEqual(files.sort());
  });

  it.each(Object.keys(VALIDATORS))('validates the %s against its OpenAPI schema', (kind) => {
    const manifest = manifests.find((m) => m.kind === kind);
    expect(manifest).toBeDefined();
    expect(() => new VALIDATORS[kind](manifest as never).validate()).not.toThrow();
  });

  it('ties labels, selectors, ports and probes together', () => {
    const deployment = byKind('Deployment');
    const podLabels = deployment.spec.template.metadata.labels;
    for (const [key, value] of Object.entries(deployment.spec.selector.matchLabels)) expect(podLabels[key]).toBe(value);
    for (const kind of ['Service', 'PodDisruptionBudget']) {
      const selector = kind === 'Service' ? byKind(kind).spec.selector : byKind(kind).spec.selector.matchLabels;
      for (const [key, value] of Object.entries(selector)) expect(podLabels[key]).toBe(value);
    }
    const container = deployment.spec.template.spec.containers[0];
    const portNames = container.ports.map((p: { name: string }) => p.name);
    expect(portNames).toContain(byKind('Service').spec.ports[0].targetPort);
    expect(container.livenessProbe.httpGet).toMatchObject({ path: '/health/worker', port: 'http' });
    expect(container.readinessProbe.httpGet).toMatchObject({ path: '/health/queue', port: 'http' });
    expect(container.ports[0].containerPort).toBe(Number(byKind('ConfigMap').data.HTTP_PORT));
    const monitor = byKind('ServiceMonitor');
    expect(monitor.spec.endpoints[0]).toMatchObject({ port: byKind('Service').spec.ports[0].name, path: '/metrics' });
    for (const [key, value] of Object.entries(monitor.spec.selector.matchLabels)) expect(byKind('Service').metadata.labels[key]).toBe(value);
    expect(byKind('HorizontalPodAutoscaler').spec.scaleTargetRef.name).toBe(deployment.metadata.name);
    expect(byKind('ScaledObject').spec.scaleTargetRef.name).toBe(deployment.metadata.name);
    expect(byKind('ScaledObject').spec.triggers.map((t: { metadata: { query: string } }) => t.metadata.query).join(' ')).toMatch(/queue_oldest_ready_job_age_seconds/);
  });

  it('keeps enough workers during rollouts and drains within the grace period', () => {
    const deployment = byKind('Deployment');
    const pdb = byKind('PodDisruptionBudget');
    expect(deployment.spec.strategy.rollingUpdate.maxUnavailable).toBe(0);
    expect(deployment.spec.replicas).toBeGreaterThan(pdb.spec.minAvailable);
    expect(byKind('HorizontalPodAutoscaler').spec.minReplicas).toBeGreaterThan(pdb.spec.minAvailable);
    const shutdownMs = Number(byKind('ConfigMap').data.QUEUE_SHUTDOWN_TIMEOUT_MS);
    expect(deployment.spec.template.spec.terminationGracePeriodSeconds).toBeGreaterThan(shutdownMs / 1000);
    const security = deployment.spec.template.spec.securityContext;
    expect(security.runAsNonRoot).toBe(true);
  });

  it('gives every variable the worker reads a place in the ConfigMap or the Secret, and nothing else', () => {
    const expected = documentedVariables().map((v) => v.name).sort();
    const configured = [...Object.keys(byKind('ConfigMap').data), ...Object.keys(byKind('Secret').stringData)].sort();
    expect(configured).toEqual(expected);
    const secrets = Object.keys(byKind('Secret').stringData);
    for (const name of ['MONGO_URI', 'REDIS_PASSWORD', 'QUEUE_REDIS_PASSWORD', 'ADMIN_TOKENS', 'SMTP_URL']) expect(secrets).toContain(name);
    // The ConfigMap's values are valid for the worker's own configuration.
    const data = byKind('ConfigMap').data as Record<string, string>;
    expect(() =>
      resolveQueueConfig({ mongodb: { uri: 'mongodb://x/y' }, redis: {}, worker: { lockTimeout: Number(data.QUEUE_LOCK_TIMEOUT_MS), heartbeatInterval: Number(data.QUEUE_HEARTBEAT_INTERVAL_MS) } }),
    ).not.toThrow();
  });
});
