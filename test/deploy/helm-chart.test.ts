import { execFile } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { EnvSchema, keyPrefixFor } from '@answerbridge/config';
import { channelRegistry, channelSettingNames, channelSettings } from '@answerbridge/pipeline';
import { jobCatalog } from '@answerbridge/core';
import { WORKER_SHUTDOWN_GRACE_MS } from '@answerbridge/worker';
import {
  ScaledObject,
  TriggerAuthentication,
  type IScaledObject,
  type ITriggerAuthentication,
} from '@kubernetes-models/keda/keda.sh/v1alpha1';
import { QueueKeys } from 'bullmq';
import { Deployment, type IDeployment } from 'kubernetes-models/apps/v1';
import { HorizontalPodAutoscaler, type IHorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import { Ingress, type IIngress } from 'kubernetes-models/networking.k8s.io/v1';
import { PodDisruptionBudget, type IPodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { ConfigMap, Secret, Service, ServiceAccount, type IConfigMap, type IService } from 'kubernetes-models/v1';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { milvusSdkLine } from './milvus-sdk-line';

const repoRoot = path.resolve(import.meta.dirname, '../..');
const chart = 'deploy/helm/answerbridge';
const ciFiles = readdirSync(path.join(repoRoot, chart, 'ci'))
  .filter((f) => f.endsWith('.yaml'))
  .sort();
const appComponents = ['gateway', 'worker', 'console'] as const;

interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [field: string]: unknown;
}

interface HelmResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

const execFileAsync = promisify(execFile);

/** Runs the repository's pinned helm; a failure is a result to assert on, not an exception. */
async function helm(...args: string[]): Promise<HelmResult> {
  try {
    const { stdout, stderr } = await execFileAsync('bash', ['scripts/helm.sh', ...args], {
      cwd: repoRoot,
      maxBuffer: 32 * 1024 * 1024,
    });
    return { exitCode: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: unknown; stdout?: string; stderr?: string };
    return {
      exitCode: typeof failed.code === 'number' ? failed.code : 1,
      stdout: failed.stdout ?? '',
      stderr: failed.stderr ?? '',
    };
  }
}

function template(valuesFile: string, ...sets: string[]): Promise<HelmResult> {
  return helm(
    'template',
    'ab',
    chart,
    '--namespace',
    'answerbridge',
    '-f',
    `${chart}/ci/${valuesFile}`,
    ...sets.flatMap((s) => ['--set', s]),
  );
}

async function render(valuesFile: string, ...sets: string[]): Promise<Manifest[]> {
  const result = await template(valuesFile, ...sets);
  if (result.exitCode !== 0)
    throw new Error(`helm template -f ${valuesFile} ${sets.join(' ')} failed:\n${result.stderr}`);
  return parseManifests(result.stdout);
}

/** YAML 1.1, as the Kubernetes API server reads manifests (yes/no booleans, 0-prefixed octal). */
function parseManifests(text: string): Manifest[] {
  return parseAllDocuments(text, { version: '1.1' }).flatMap((doc) => {
    const [error] = doc.errors;
    if (error) throw error;
    const value = doc.toJS() as Manifest | null;
    return value ? [value] : [];
  });
}

interface Validatable {
  validate(): void;
}
/** Each model class takes its own typed data; rendered manifests are only known at run time, hence `never`. */
type ModelClass = new (data: never) => Validatable;

const models: Record<string, ModelClass> = {
  'v1/ConfigMap': ConfigMap,
  'v1/Secret': Secret,
  'v1/Service': Service,
  'v1/ServiceAccount': ServiceAccount,
  'apps/v1/Deployment': Deployment,
  'autoscaling/v2/HorizontalPodAutoscaler': HorizontalPodAutoscaler,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
  'networking.k8s.io/v1/Ingress': Ingress,
  'keda.sh/v1alpha1/ScaledObject': ScaledObject,
  'keda.sh/v1alpha1/TriggerAuthentication': TriggerAuthentication,
};

/** Kinds with no models package in the workspace, each with the structural check that stands in for its schema. */
const allowListed: Record<string, (m: Manifest) => void> = {
  // No prometheus-operator models package is installed: check what the operator needs to find targets.
  'monitoring.coreos.com/v1/ServiceMonitor': (m) => {
    const spec = m['spec'] as
      | { selector?: { matchLabels?: Record<string, string> }; endpoints?: { port?: unknown; path?: unknown }[] }
      | undefined;
    if (!spec?.selector?.matchLabels || Object.keys(spec.selector.matchLabels).length === 0)
      throw new Error('ServiceMonitor needs spec.selector.matchLabels');
    if (!spec.endpoints?.length) throw new Error('ServiceMonitor needs spec.endpoints');
    for (const e of spec.endpoints) {
      if (typeof e.port !== 'string' || typeof e.path !== 'string')
        throw new Error('each ServiceMonitor endpoint needs a port name and a path');
    }
  },
};

const dnsLabel = /^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/;

/** Throws unless the manifest matches its Kubernetes schema; a kind with neither a model nor an allow-list entry fails. */
function validateManifest(m: Manifest): void {
  const key = `${m.apiVersion}/${m.kind}`;
  if (!dnsLabel.test(m.metadata.name)) throw new Error(`${key} name ${m.metadata.name} is not a DNS label`);
  for (const [label, value] of Object.entries(m.metadata.labels ?? {})) {
    if (value.length > 63) throw new Error(`${key} ${m.metadata.name}: label ${label} is longer than 63 characters`);
  }
  const Model = models[key];
  if (Model) return new Model(m as never).validate();
  const check = allowListed[key];
  if (!check)
    throw new Error(
      `${key} (${m.metadata.name}) has no schema in this test: add its model class, or an allow-list entry with a reason`,
    );
  check(m);
}

function ofKind<T>(manifests: Manifest[], kind: string): T[] {
  return manifests.filter((m) => m.kind === kind) as T[];
}

function component(m: { metadata?: { labels?: Record<string, string> } }): string | undefined {
  return m.metadata?.labels?.['app.kubernetes.io/component'];
}

function selects(selector: Record<string, string> | undefined, labels: Record<string, string> | undefined): boolean {
  return (
    !!selector && Object.keys(selector).length > 0 && Object.entries(selector).every(([k, v]) => labels?.[k] === v)
  );
}

function podLabels(d: IDeployment): Record<string, string> | undefined {
  return d.spec?.template.metadata?.labels;
}

function named<T extends { metadata?: { name?: string } }>(items: T[], name: string | undefined): T {
  const found = items.find((i) => i.metadata?.name === name);
  if (!found) throw new Error(`nothing named ${name} among ${items.map((i) => i.metadata?.name).join(', ')}`);
  return found;
}

function appDeployment(manifests: Manifest[], name: (typeof appComponents)[number]): IDeployment {
  const found = ofKind<IDeployment>(manifests, 'Deployment').find((d) => component(d) === name);
  if (!found) throw new Error(`no ${name} Deployment rendered`);
  return found;
}

function firstContainer(d: IDeployment) {
  const [container] = d.spec?.template.spec?.containers ?? [];
  if (!container) throw new Error(`${d.metadata?.name} has no container`);
  return container;
}

function configData(manifests: Manifest[]): Record<string, string> {
  const [config] = ofKind<IConfigMap>(manifests, 'ConfigMap');
  if (!config?.data) throw new Error('no settings ConfigMap rendered');
  return config.data;
}

/** Secret names a values file says already exist in the cluster (any existingSecret, and envFromSecrets). */
function declaredSecrets(valuesFile: string): Set<string> {
  const names = new Set<string>();
  const visit = (node: unknown, key: string): void => {
    if (typeof node === 'string' && (key === 'existingSecret' || key === 'envFromSecrets') && node) names.add(node);
    else if (Array.isArray(node)) node.forEach((n) => visit(n, key));
    else if (node && typeof node === 'object') for (const [k, v] of Object.entries(node)) visit(v, k);
  };
  visit(parse(readFileSync(path.join(repoRoot, chart, 'ci', valuesFile), 'utf8')), '');
  return names;
}

/** Deployments named by an HPA or a ScaledObject (KEDA makes an HPA of its own from each ScaledObject). */
function autoscalerTargets(manifests: Manifest[]): string[] {
  return [
    ...ofKind<IHorizontalPodAutoscaler>(manifests, 'HorizontalPodAutoscaler').map((h) => h.spec?.scaleTargetRef.name),
    ...ofKind<IScaledObject>(manifests, 'ScaledObject').map((s) => s.spec?.scaleTargetRef.name),
  ].filter((n): n is string => !!n);
}

/** BullMQ's own key of a catalog queue's waiting jobs, so a renamed queue or key layout breaks this test. */
function waitList(prefix: string, job: keyof typeof jobCatalog): string {
  return new QueueKeys(prefix).toKey(jobCatalog[job].queue, 'wait');
}

describe('Helm chart deploy/helm/answerbridge', () => {
  const rendered = new Map<string, Manifest[]>();
  const manifestsOf = (file: string): Manifest[] => {
    const manifests = rendered.get(file);
    if (!manifests) throw new Error(`ci/${file} was not rendered`);
    return manifests;
  };

  beforeAll(async () => {
    // scripts/helm.sh unpacks helm on first use: one call alone first, so the parallel ones never race on it.
    const version = await helm('version', '--short');
    if (version.exitCode !== 0) throw new Error(`scripts/helm.sh does not run:\n${version.stderr}`);
    await Promise.all(ciFiles.map(async (file) => rendered.set(file, await render(file))));
  });

  it('has CI values for the minimal, the KEDA/Redis Cluster, the KEDA/Sentinel and the HPA/plain-Redis installs', () => {
    expect(ciFiles).toEqual([
      'default-values.yaml',
      'hpa-fallback-values.yaml',
      'keda-cluster-values.yaml',
      'keda-sentinel-values.yaml',
    ]);
  });

  it.concurrent.for(ciFiles)('passes helm lint --strict with ci/%s', async (file, { expect }) => {
    const result = await helm('lint', '--strict', chart, '-f', `${chart}/ci/${file}`);
    expect(result.exitCode, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toContain('0 chart(s) failed');
  });

  describe.each(ciFiles)('rendered with ci/%s', (file) => {
    it('renders only objects that match their Kubernetes or KEDA schema', () => {
      const manifests = manifestsOf(file);
      expect(manifests.length).toBeGreaterThan(10);
      for (const m of manifests) expect(() => validateManifest(m), `${m.kind}/${m.metadata.name}`).not.toThrow();
    });

    it('gives every app container probes on /readyz and /healthz, a locked-down security context and resources', () => {
      const manifests = manifestsOf(file);
      for (const name of appComponents) {
        const d = appDeployment(manifests, name);
        const pod = d.spec?.template.spec;
        const c = firstContainer(d);
        const ports = new Set((c.ports ?? []).map((p) => p.name));
        expect(c.args).toEqual([name]);
        expect(c.readinessProbe?.httpGet?.path, name).toBe('/readyz');
        expect(c.livenessProbe?.httpGet?.path, name).toBe('/healthz');
        expect(c.startupProbe?.httpGet?.path, name).toBe('/healthz');
        for (const probe of [c.readinessProbe, c.livenessProbe, c.startupProbe])
          expect(ports.has(String(probe?.httpGet?.port)), name).toBe(true);
        expect(c.securityContext?.runAsNonRoot ?? pod?.securityContext?.runAsNonRoot, name).toBe(true);
        expect(c.securityContext?.readOnlyRootFilesystem, name).toBe(true);
        expect(c.securityContext?.allowPrivilegeEscalation, name).toBe(false);
        expect(c.securityContext?.capabilities?.drop, name).toEqual(['ALL']);
        expect(pod?.securityContext?.seccompProfile?.type, name).toBe('RuntimeDefault');
        expect(pod?.automountServiceAccountToken, name).toBe(false);
        expect(Object.keys(c.resources?.requests ?? {}).sort(), name).toEqual(['cpu', 'memory']);
        expect(c.resources?.limits?.['memory'], name).toBeDefined();
        const tmp = c.volumeMounts?.find((v) => v.mountPath === '/tmp');
        expect(pod?.volumes?.find((v) => v.name === tmp?.name)?.emptyDir, `${name} /tmp`).toBeDefined();
        const files = pod?.volumes?.find(
          (v) => v.name === c.volumeMounts?.find((m) => m.mountPath === '/etc/answerbridge')?.name,
        );
        const paths = (files?.projected?.sources ?? []).flatMap((s) => s.secret?.items?.map((i) => i.path) ?? []);
        expect(paths, name).toEqual(name === 'console' ? ['bots.json', 'console-users.json'] : ['bots.json']);
        expect(d.spec?.template.metadata?.annotations?.['checksum/config'], name).toMatch(/^[0-9a-f]{64}$/);
      }
      // The kubelet must not kill a stopping worker before its own shutdown grace runs out.
      expect(appDeployment(manifests, 'worker').spec?.template.spec?.terminationGracePeriodSeconds).toBeGreaterThan(
        WORKER_SHUTDOWN_GRACE_MS / 1000,
      );
    });

    it('keeps the Redis password out of REDIS_URL: REDIS_PASSWORD comes from a secretKeyRef', () => {
      const manifests = manifestsOf(file);
      for (const name of appComponents) {
        const env = firstContainer(appDeployment(manifests, name)).env ?? [];
        const url = env.find((e) => e.name === 'REDIS_URL')?.value ?? '';
        expect(url, name).toMatch(/^(rediss?|redis-sentinel|rediss?-cluster):\/\/[^@:/]+:\d+/);
        const password = env.find((e) => e.name === 'REDIS_PASSWORD');
        if (password) {
          expect(password.value, name).toBeUndefined();
          expect(password.valueFrom?.secretKeyRef?.name, name).toBeTruthy();
        }
      }
      for (const config of ofKind<IConfigMap>(manifests, 'ConfigMap')) {
        for (const [key, value] of Object.entries(config.data ?? {})) {
          expect(['REDIS_URL', 'REDIS_PASSWORD', 'MILVUS_TOKEN', 'EMBEDDING_API_KEY', 'RERANK_API_KEY']).not.toContain(
            key,
          );
          expect(value, key).not.toMatch(/:\/\/[^/\s]*:[^@/\s]+@/);
        }
      }
    });

    it('renders settings the apps accept, under names the apps read', () => {
      const data = configData(manifestsOf(file));
      // libs/config's own settings, and the channels' (each channel's settingsSchema).
      const known = new Set([...Object.keys(EnvSchema.shape), ...channelSettingNames()]);
      for (const key of Object.keys(data))
        expect(known.has(key), `${key} is not a setting in libs/config or a channel`).toBe(true);
      const parsed = EnvSchema.safeParse(data);
      expect(parsed.success, JSON.stringify(parsed.error?.issues)).toBe(true);
      for (const channel of channelRegistry) expect(() => channelSettings(channel, data), channel.name).not.toThrow();
    });

    it('points Services, PDBs, autoscalers and Ingresses at pods and ports that exist', () => {
      const manifests = manifestsOf(file);
      const deployments = ofKind<IDeployment>(manifests, 'Deployment');
      const services = ofKind<IService>(manifests, 'Service');
      for (const svc of services) {
        const backing = deployments.filter((d) => selects(svc.spec?.selector, podLabels(d)));
        expect(backing.length, `Service ${svc.metadata?.name} selects one Deployment`).toBe(1);
        const ports = new Set(
          (backing[0]?.spec?.template.spec?.containers ?? []).flatMap((c) => (c.ports ?? []).map((p) => p.name)),
        );
        for (const p of svc.spec?.ports ?? [])
          expect(ports.has(String(p.targetPort)), `${svc.metadata?.name} → ${p.targetPort}`).toBe(true);
      }
      for (const pdb of ofKind<IPodDisruptionBudget>(manifests, 'PodDisruptionBudget')) {
        expect(
          deployments.filter((d) => selects(pdb.spec?.selector?.matchLabels, podLabels(d))).length,
          `PDB ${pdb.metadata?.name}`,
        ).toBe(1);
        expect(
          (pdb.spec?.minAvailable === undefined) !== (pdb.spec?.maxUnavailable === undefined),
          `PDB ${pdb.metadata?.name} sets one bound`,
        ).toBe(true);
      }
      const targets = autoscalerTargets(manifests);
      expect(new Set(targets).size, 'no Deployment has two autoscalers').toBe(targets.length);
      for (const target of targets)
        expect(
          named(deployments, target).spec?.replicas,
          `${target} leaves replicas to its autoscaler`,
        ).toBeUndefined();
      for (const ing of ofKind<IIngress>(manifests, 'Ingress')) {
        for (const rule of ing.spec?.rules ?? []) {
          for (const p of rule.http?.paths ?? []) {
            const svc = named(services, p.backend.service?.name);
            expect(
              svc.spec?.ports?.some((sp) => sp.name === p.backend.service?.port?.name),
              `${ing.metadata?.name} ${p.path}`,
            ).toBe(true);
          }
        }
      }
    });

    it('gives the apps DATABASE_URL from the Secret database.existingSecret names, never from a ConfigMap', () => {
      const manifests = manifestsOf(file);
      const values = parse(readFileSync(path.join(repoRoot, chart, 'ci', file), 'utf8')) as {
        database?: { existingSecret?: string };
      };
      for (const name of appComponents) {
        const deployment = manifests.find((m) => m.kind === 'Deployment' && component(m) === name);
        if (!deployment) continue;
        const env = firstContainer(deployment as unknown as IDeployment).env ?? [];
        expect(
          env.find((e) => e.name === 'DATABASE_URL'),
          name,
        ).toEqual({
          name: 'DATABASE_URL',
          valueFrom: { secretKeyRef: { name: values.database?.existingSecret, key: 'database-url' } },
        });
      }
      for (const config of ofKind<IConfigMap>(manifests, 'ConfigMap'))
        expect(Object.keys(config.data ?? {})).not.toContain('DATABASE_URL');
    });

    it('references only Secrets and ConfigMaps it renders or the values declare as existing', () => {
      const manifests = manifestsOf(file);
      const secrets = new Set([
        ...ofKind<Manifest>(manifests, 'Secret').map((s) => s.metadata.name),
        ...declaredSecrets(file),
      ]);
      const configMaps = new Set(ofKind<Manifest>(manifests, 'ConfigMap').map((c) => c.metadata.name));
      for (const d of ofKind<IDeployment>(manifests, 'Deployment')) {
        const pod = d.spec?.template.spec;
        for (const c of pod?.containers ?? []) {
          for (const e of c.env ?? [])
            if (e.valueFrom?.secretKeyRef)
              expect(secrets, `${d.metadata?.name} ${e.name}`).toContain(e.valueFrom.secretKeyRef.name);
          for (const e of c.envFrom ?? []) {
            if (e.secretRef) expect(secrets, String(d.metadata?.name)).toContain(e.secretRef.name);
            if (e.configMapRef) expect(configMaps, String(d.metadata?.name)).toContain(e.configMapRef.name);
          }
        }
        for (const v of pod?.volumes ?? []) {
          for (const s of v.projected?.sources ?? [])
            if (s.secret) expect(secrets, `${d.metadata?.name} ${v.name}`).toContain(s.secret.name);
        }
      }
      for (const auth of ofKind<ITriggerAuthentication>(manifests, 'TriggerAuthentication')) {
        for (const ref of auth.spec?.secretTargetRef ?? []) expect(secrets, ref.parameter).toContain(ref.name);
      }
    });

    it('scales the gateway with an HPA on CPU', () => {
      const manifests = manifestsOf(file);
      const gateway = appDeployment(manifests, 'gateway');
      const hpa = ofKind<IHorizontalPodAutoscaler>(manifests, 'HorizontalPodAutoscaler').find(
        (h) => h.spec?.scaleTargetRef.name === gateway.metadata?.name,
      );
      expect(hpa?.spec?.metrics?.[0]?.resource?.name).toBe('cpu');
      expect(hpa?.spec?.metrics?.[0]?.resource?.target.type).toBe('Utilization');
    });
  });

  it('scales workers with KEDA on the real BullMQ wait lists over Redis Sentinel, and renders no worker HPA', () => {
    const manifests = manifestsOf('keda-sentinel-values.yaml');
    const worker = appDeployment(manifests, 'worker');
    const [scaled, ...more] = ofKind<IScaledObject>(manifests, 'ScaledObject');
    expect(more).toHaveLength(0);
    expect(scaled?.spec?.scaleTargetRef.name).toBe(worker.metadata?.name);
    const prefix = configData(manifests)['QUEUE_PREFIX'] ?? '';
    expect(prefix).toBe('{ab}');
    const triggers = scaled?.spec?.triggers ?? [];
    expect(triggers.map((t) => t.metadata['listName'])).toEqual([
      waitList(prefix, 'inbound.answer.v1'),
      waitList(prefix, 'outbound.send.v1'),
    ]);
    for (const t of triggers) {
      expect(t.type).toBe('redis-sentinel');
      expect(t.metadata['sentinelMaster']).toBe('answerbridge');
      expect(t.metadata['addresses']?.split(',')).toHaveLength(3);
      const auth = named(ofKind<ITriggerAuthentication>(manifests, 'TriggerAuthentication'), t.authenticationRef?.name);
      expect(auth.spec?.secretTargetRef?.map((r) => [r.parameter, r.name, r.key])).toEqual([
        ['password', 'answerbridge-redis', 'redis-password'],
        ['sentinelPassword', 'answerbridge-redis', 'sentinel-password'],
      ]);
    }
    const hpaTargets = ofKind<IHorizontalPodAutoscaler>(manifests, 'HorizontalPodAutoscaler').map(
      (h) => h.spec?.scaleTargetRef.name,
    );
    expect(hpaTargets).not.toContain(worker.metadata?.name);
    const url = firstContainer(worker).env?.find((e) => e.name === 'REDIS_URL')?.value;
    expect(url).toBe(
      'redis-sentinel://redis-node-0.redis-headless.redis.svc:26379,redis-node-1.redis-headless.redis.svc:26379,redis-node-2.redis-headless.redis.svc:26379/answerbridge',
    );
    // The apps authenticate to the Sentinels with the same key KEDA uses.
    expect(
      firstContainer(worker).env?.find((e) => e.name === 'REDIS_SENTINEL_PASSWORD')?.valueFrom?.secretKeyRef,
    ).toEqual({ name: 'answerbridge-redis', key: 'sentinel-password' });
  });

  it('points the apps and KEDA at a managed Redis Cluster, every key under the hash tag the apps use', () => {
    const manifests = manifestsOf('keda-cluster-values.yaml');
    const endpoint = 'clustercfg.answerbridge.abc123.apse1.cache.amazonaws.com:6379';
    for (const name of appComponents) {
      const env = firstContainer(appDeployment(manifests, name)).env ?? [];
      expect(env.find((e) => e.name === 'REDIS_URL')?.value, name).toBe(`rediss-cluster://${endpoint}`);
      expect(env.find((e) => e.name === 'REDIS_PASSWORD')?.valueFrom?.secretKeyRef, name).toEqual({
        name: 'answerbridge-redis',
        key: 'redis-password',
      });
    }
    // The ConfigMap carries the prefix the apps derive themselves from queue.prefix "ab" and the cluster URL.
    const prefix = configData(manifests)['QUEUE_PREFIX'] ?? '';
    expect(prefix).toBe(keyPrefixFor(`rediss-cluster://${endpoint}`, 'ab'));
    expect(prefix).toBe('{ab}');
    const [scaled] = ofKind<IScaledObject>(manifests, 'ScaledObject');
    const triggers = scaled?.spec?.triggers ?? [];
    expect(
      triggers.map((t) => [t.type, t.metadata['addresses'], t.metadata['enableTLS'], t.metadata['listName']]),
    ).toEqual([
      ['redis-cluster', endpoint, 'true', waitList(prefix, 'inbound.answer.v1')],
      ['redis-cluster', endpoint, 'true', waitList(prefix, 'outbound.send.v1')],
    ]);
    const auth = named(
      ofKind<ITriggerAuthentication>(manifests, 'TriggerAuthentication'),
      triggers[0]?.authenticationRef?.name,
    );
    expect(auth.spec?.secretTargetRef?.map((r) => [r.parameter, r.name, r.key])).toEqual([
      ['password', 'answerbridge-redis', 'redis-password'],
    ]);
  });

  it('uses a queue.prefix that holds a hash tag as given on a cluster, and never adds one without a cluster', async () => {
    const given = await render('keda-cluster-values.yaml', 'queue.prefix=hr-{ab}', 'redis.cluster.tls=false');
    expect(configData(given)['QUEUE_PREFIX']).toBe('hr-{ab}');
    const [scaled] = ofKind<IScaledObject>(given, 'ScaledObject');
    expect(scaled?.spec?.triggers?.[0]?.metadata).toMatchObject({
      enableTLS: 'false',
      listName: 'hr-{ab}:inbound:wait',
    });
    expect(firstContainer(appDeployment(given, 'worker')).env?.find((e) => e.name === 'REDIS_URL')?.value).toMatch(
      /^redis-cluster:\/\//,
    );
    // A single Redis keeps its key names (its data): the default prefix, as it was.
    expect(configData(manifestsOf('hpa-fallback-values.yaml'))['QUEUE_PREFIX']).toBe('ab');
  });

  it('scales workers with KEDA over plain Redis: address, database and TLS from redis.url', async () => {
    const manifests = await render('hpa-fallback-values.yaml', 'worker.autoscaling.mode=keda');
    for (const m of manifests) validateManifest(m);
    const [scaled] = ofKind<IScaledObject>(manifests, 'ScaledObject');
    const [inbound] = scaled?.spec?.triggers ?? [];
    expect(inbound?.type).toBe('redis');
    expect(inbound?.metadata).toMatchObject({
      address: 'redis.example.internal:6380',
      databaseIndex: '2',
      enableTLS: 'true',
      listName: waitList(EnvSchema.shape.QUEUE_PREFIX.parse(undefined), 'inbound.answer.v1'),
    });
    expect(autoscalerTargets(manifests).filter((t) => t.endsWith('-worker'))).toHaveLength(1);
  });

  it('falls back to a CPU HPA for workers without KEDA, and renders no Ingress when both are off', () => {
    const manifests = manifestsOf('hpa-fallback-values.yaml');
    const worker = appDeployment(manifests, 'worker');
    const hpa = ofKind<IHorizontalPodAutoscaler>(manifests, 'HorizontalPodAutoscaler').find(
      (h) => h.spec?.scaleTargetRef.name === worker.metadata?.name,
    );
    expect(hpa?.spec?.metrics?.[0]?.resource?.name).toBe('cpu');
    expect(hpa?.spec?.minReplicas).toBe(3);
    expect(ofKind(manifests, 'ScaledObject')).toHaveLength(0);
    expect(ofKind(manifests, 'TriggerAuthentication')).toHaveLength(0);
    expect(ofKind(manifests, 'Ingress')).toHaveLength(0);
    expect(
      named(ofKind<IPodDisruptionBudget>(manifests, 'PodDisruptionBudget'), 'ab-answerbridge-gateway').spec,
    ).toMatchObject({ minAvailable: 1 });
    expect(firstContainer(worker).env?.find((e) => e.name === 'REDIS_URL')?.value).toBe(
      'rediss://redis.example.internal:6380/2',
    );
  });

  it('keeps the app defaults with the minimal values: BullMQ prefix, inline files as Secrets, no password in REDIS_URL', () => {
    const manifests = manifestsOf('default-values.yaml');
    expect(configData(manifests)['QUEUE_PREFIX']).toBe(EnvSchema.shape.QUEUE_PREFIX.parse(undefined));
    expect(ofKind<Manifest>(manifests, 'Secret').map((s) => s.metadata.name)).toEqual([
      'ab-answerbridge-bots',
      'ab-answerbridge-console-users',
    ]);
    const env = firstContainer(appDeployment(manifests, 'gateway')).env ?? [];
    expect(env.find((e) => e.name === 'REDIS_URL')?.value).toBe('redis://redis-master.redis.svc:6379/0');
    expect(env.some((e) => e.name === 'REDIS_PASSWORD')).toBe(false);
    expect(ofKind(manifests, 'ServiceMonitor')).toHaveLength(0);
  });

  it('runs SGLang for embeddings and the reranker on GPU nodes, and points the apps at them', () => {
    const manifests = manifestsOf('keda-sentinel-values.yaml');
    const deployments = ofKind<IDeployment>(manifests, 'Deployment');
    const services = ofKind<IService>(manifests, 'Service');
    const data = configData(manifests);
    for (const [name, setting, embedding] of [
      ['sglang', 'EMBEDDING_BASE_URL', true],
      ['sglang-reranker', 'RERANK_BASE_URL', false],
    ] as const) {
      const d = deployments.find((x) => component(x) === name);
      if (!d) throw new Error(`no ${name} Deployment`);
      const c = firstContainer(d);
      const pod = d.spec?.template.spec;
      expect(c.args?.includes('--is-embedding'), name).toBe(embedding);
      expect(c.command).toEqual(['python3', '-m', 'sglang.launch_server']);
      expect(c.image).toMatch(/^lmsysorg\/sglang:v\d+\.\d+\.\d+\S*$/);
      expect(Number(c.resources?.limits?.['nvidia.com/gpu'])).toBe(1);
      expect(c.readinessProbe?.httpGet?.path).toBe('/health');
      const shm = pod?.volumes?.find((v) => v.name === c.volumeMounts?.find((m) => m.mountPath === '/dev/shm')?.name);
      expect(shm?.emptyDir?.medium).toBe('Memory');
      const models = c.volumeMounts?.find((m) => m.mountPath === '/models');
      expect(models?.readOnly).toBe(true);
      expect(pod?.volumes?.find((v) => v.name === models?.name)?.persistentVolumeClaim?.claimName).toBe(
        'answerbridge-models',
      );
      expect(pod?.nodeSelector).toEqual({ 'nvidia.com/gpu.present': 'true' });
      expect(pod?.tolerations?.map((t) => t.key)).toContain('nvidia.com/gpu');
      const svc = named(services, d.metadata?.name);
      expect(data[setting]).toBe(`http://${svc.metadata?.name}:${svc.spec?.ports?.[0]?.port}/v1`);
    }
    expect(data['EMBEDDING_PROFILE']).toBe('qwen3-embedding-4b');
  });

  it('publishes only the callback paths of the gateway, and the console on its own host, both over TLS', () => {
    const ingresses = ofKind<IIngress>(manifestsOf('keda-sentinel-values.yaml'), 'Ingress');
    const gateway = named(ingresses, 'ab-answerbridge-gateway');
    const console = named(ingresses, 'ab-answerbridge-console');
    expect(gateway.spec?.ingressClassName).toBe('nginx');
    expect(gateway.spec?.rules?.flatMap((r) => r.http?.paths.map((p) => p.path))).toEqual(['/wecom', '/dingtalk']);
    expect(gateway.spec?.tls?.[0]?.hosts).toEqual(['bots.example.com']);
    expect(console.spec?.rules?.map((r) => r.host)).toEqual(['inbox.example.com']);
    expect(console.spec?.tls?.[0]?.secretName).toBe('answerbridge-console-tls');
  });

  it('scrapes all three apps through a ServiceMonitor whose endpoints name ports the Services have', () => {
    const manifests = manifestsOf('keda-sentinel-values.yaml');
    const [monitor] = ofKind<Manifest>(manifests, 'ServiceMonitor');
    const spec = monitor?.['spec'] as {
      selector: { matchLabels: Record<string, string> };
      endpoints: { port: string }[];
    };
    const endpointPorts = new Set(spec.endpoints.map((e) => e.port));
    const scraped = ofKind<IService>(manifests, 'Service').filter(
      (s) => selects(spec.selector.matchLabels, s.metadata?.labels) && appComponents.some((c) => c === component(s)),
    );
    expect(scraped.map((s) => component(s)).sort()).toEqual(['console', 'gateway', 'worker']);
    for (const s of scraped)
      expect(
        s.spec?.ports?.some((p) => endpointPorts.has(String(p.name))),
        s.metadata?.name,
      ).toBe(true);
  });

  it('rolls the pods when a setting changes', async () => {
    const before = manifestsOf('default-values.yaml');
    const after = await render('default-values.yaml', 'config.LOG_LEVEL=debug');
    for (const name of appComponents) {
      const checksum = (ms: Manifest[]) =>
        appDeployment(ms, name).spec?.template.metadata?.annotations?.['checksum/config'];
      expect(checksum(after), name).not.toBe(checksum(before));
    }
  });

  it('runs fixed replicas with every autoscaler and the console off', async () => {
    const manifests = await render(
      'default-values.yaml',
      'worker.autoscaling.mode=none',
      'gateway.autoscaling.enabled=false',
      'console.enabled=false',
      'consoleUsers.json=',
    );
    for (const m of manifests) validateManifest(m);
    expect(ofKind(manifests, 'HorizontalPodAutoscaler')).toHaveLength(0);
    expect(ofKind(manifests, 'ScaledObject')).toHaveLength(0);
    expect(manifests.filter((m) => component(m) === 'console')).toHaveLength(0);
    expect(appDeployment(manifests, 'gateway').spec?.replicas).toBe(2);
    expect(appDeployment(manifests, 'worker').spec?.replicas).toBe(2);
  });

  describe('refuses broken values with a message naming the problem', () => {
    it.concurrent.for([
      {
        why: 'a replica count that is not a number (values.schema.json)',
        sets: ['gateway.replicas=notanumber'],
        message: /\/gateway\/replicas.*want integer/,
      },
      { why: 'a misspelt key (values.schema.json)', sets: ['gatway.replicas=3'], message: /'gatway' not allowed/ },
      {
        why: 'an unknown worker scaling mode (values.schema.json)',
        sets: ['worker.autoscaling.mode=vpa'],
        message: /\/worker\/autoscaling\/mode.*one of/,
      },
      { why: 'no Milvus address', sets: ['milvus.address='], message: /milvus\.address is required/ },
      {
        why: 'a password inside redis.url',
        sets: ['redis.url=redis://:hunter2@redis:6379/0'],
        message: /redis\.url must not contain credentials/,
      },
      {
        why: 'two kinds of Redis at once',
        sets: ['redis.cluster.enabled=true', 'redis.cluster.nodes[0]=redis-cluster:6379'],
        message:
          /redis: give one of redis\.url \(plain Redis\), redis\.sentinel\.enabled .* or redis\.cluster\.enabled/,
      },
      {
        why: 'a Redis Cluster without nodes',
        sets: ['redis.url=', 'redis.cluster.enabled=true'],
        message: /redis\.cluster\.nodes is required with redis\.cluster\.enabled/,
      },
      {
        why: 'a cluster node that is not host:port (values.schema.json)',
        sets: ['redis.url=', 'redis.cluster.enabled=true', 'redis.cluster.nodes[0]=redis-cluster'],
        message: /\/redis\/cluster\/nodes\/0.*does not match pattern/,
      },
      {
        why: 'a queue.prefix whose braces are no hash tag (values.schema.json)',
        sets: ['queue.prefix=ab{x'],
        message: /\/queue\/prefix.*does not match pattern/,
      },
      {
        why: 'no embeddings endpoint and no SGLang',
        sets: ['embedding.baseUrl='],
        message: /embedding\.baseUrl is required/,
      },
      {
        why: 'a setting the chart owns set through config',
        sets: ['config.REDIS_URL=redis://x:6379'],
        message: /config\.REDIS_URL is set by the chart/,
      },
      {
        why: 'a credential put in the ConfigMap',
        sets: ['config.AGENT_NOTIFY_WECOM_WEBHOOK_KEY=robot-key'],
        message: /config\.AGENT_NOTIFY_WECOM_WEBHOOK_KEY is set by the chart; use envFromSecrets/,
      },
      {
        why: 'a password put in the ConfigMap',
        sets: ['config.REDIS_PASSWORD=pw'],
        message: /config\.REDIS_PASSWORD is set by the chart/,
      },
      {
        why: 'the apps without PostgreSQL',
        sets: ['database.existingSecret='],
        message: /database\.existingSecret is required: .*the workers keep the review queue/,
      },
      {
        why: 'the database URL (and its password) put in the ConfigMap',
        sets: ['config.DATABASE_URL=postgres://ab:pw@db:5432/ab'],
        message: /config\.DATABASE_URL is set by the chart; use database\.existingSecret/,
      },
      {
        why: 'SGLang without a models volume',
        sets: ['sglang.enabled=true'],
        message: /sglang\.models: give exactly one of existingClaim and hostPath/,
      },
    ])('$why', async ({ sets, message }, { expect }) => {
      const result = await template('default-values.yaml', ...sets);
      expect(result.exitCode).not.toBe(0);
      expect(result.stderr).toMatch(message);
    });

    it('and the validator rejects a Deployment whose containerPort is a string, or a kind it has no schema for', () => {
      const gateway = structuredClone(
        manifestsOf('default-values.yaml').find((m) => m.kind === 'Deployment' && component(m) === 'gateway'),
      );
      if (!gateway) throw new Error('no gateway Deployment rendered');
      expect(() => validateManifest(gateway)).not.toThrow();
      const port = firstContainer(gateway as unknown as IDeployment).ports?.[0] as unknown as {
        containerPort: unknown;
      };
      port.containerPort = '3000';
      expect(() => validateManifest(gateway)).toThrow(/containerPort must be integer/);
      expect(() => validateManifest({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' } })).toThrow(
        /has no schema/,
      );
    });
  });
});

describe('values for the official Milvus chart (deploy/helm/milvus-values.yaml)', () => {
  it('runs Milvus in cluster mode on the server line our Milvus SDK is made for', () => {
    const values = parse(readFileSync(path.join(repoRoot, 'deploy/helm/milvus-values.yaml'), 'utf8')) as {
      cluster?: { enabled?: boolean };
      image?: { all?: { tag?: string } };
    };
    expect(values.cluster?.enabled).toBe(true);
    expect(values.image?.all?.tag).toMatch(new RegExp(`^v${milvusSdkLine().replace('.', '\\.')}\\.\\d+$`));
  });
});

describe('the chart and deploy/compose agree', () => {
  it('run the same SGLang release, with the same reranker flags', () => {
    const values = parse(readFileSync(path.join(repoRoot, chart, 'values.yaml'), 'utf8')) as {
      sglang: { image: { repository: string; tag: string }; reranker: { extraArgs: string[] } };
    };
    const compose = parse(readFileSync(path.join(repoRoot, 'deploy/compose/compose.yaml'), 'utf8')) as {
      services: Record<string, { image?: string; command?: string[] }>;
    };
    expect(compose.services['sglang']?.image).toBe(`${values.sglang.image.repository}:${values.sglang.image.tag}`);
    expect(compose.services['sglang-reranker']?.command).toEqual(
      expect.arrayContaining(values.sglang.reranker.extraArgs),
    );
  });
});
