import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { RunningService } from './local-services';
import { commandExists, freePort, isPortOpen, startProcess, type ManagedProcess } from './processes';

const run = promisify(execFile);

export interface RunningRedisCluster extends RunningService {
  /** The masters' client ports on 127.0.0.1, in the order `redis-cli --cluster create` was given them. */
  ports: number[];
  /** Runs redis-cli against one node (authenticated), e.g. `cli(port, 'cluster', 'countkeysinslot', '42')`. */
  cli(port: number, ...args: string[]): Promise<string>;
  /** kill -9 on every node, as a whole cluster's outage would. */
  kill(): Promise<void>;
  /**
   * Starts every node again on its ports with its cluster configuration and data (`durable` keeps the data:
   * without it the nodes come back empty); resolves once every node reports cluster_state:ok.
   */
  restart(): Promise<void>;
}

/**
 * A real Redis Cluster of `masters` redis-server processes (no replicas) on free ports, each with a temporary
 * directory of its own, optionally with a password; resolves once every node reports cluster_state:ok.
 * `address` is the redis-cluster:// URL the apps take as REDIS_URL, naming every node, password included.
 */
export async function startRedisCluster(
  options: { masters?: number; password?: string; echo?: boolean; durable?: boolean } = {},
): Promise<RunningRedisCluster> {
  for (const command of ['redis-server', 'redis-cli'])
    if (!commandExists(command))
      throw new Error(
        `${command} is not installed: a Redis Cluster test needs Redis 7+ (sudo apt-get install -y redis-server)`,
      );
  const count = options.masters ?? 3;
  const dir = mkdtempSync(path.join(tmpdir(), 'ab-redis-cluster-'));
  const auth = options.password ? ['--requirepass', options.password, '--masterauth', options.password] : [];
  // The password on the command line of a test's own redis-cli (no environment read: libs/config's job).
  const cliAuth = options.password ? ['-a', options.password, '--no-auth-warning'] : [];
  const cli = async (port: number, ...args: string[]) =>
    (await run('redis-cli', ['-h', '127.0.0.1', '-p', String(port), ...cliAuth, ...args])).stdout;
  const nodes: ManagedProcess[] = [];
  const nodeArgs: string[][] = [];
  const ports: number[] = [];
  const stop = async () => {
    for (const node of nodes) await node.stop();
    rmSync(dir, { recursive: true, force: true });
  };
  const startNode = (i: number) =>
    startProcess(
      `redis-cluster-${ports[i]}`,
      'redis-server',
      [...(nodeArgs[i] ?? []), ...auth],
      () => isPortOpen(ports[i] ?? 0),
      { echo: options.echo ?? false },
    );
  const hosts = () => ports.map((p) => `127.0.0.1:${p}`);
  // `create` returns once the slots are assigned, a restarted node once it listens: the nodes agree through
  // the bus a moment later.
  const clusterOk = () =>
    until(
      async () =>
        (await Promise.all(ports.map((p) => cli(p, 'cluster', 'info')))).every((i) => /cluster_state:ok/.test(i)),
      30_000,
      `Redis Cluster on ${hosts().join(',')} never reported cluster_state:ok`,
    );
  try {
    for (let i = 0; i < count; i++) {
      // The cluster bus gets a free port of its own: the default, port + 10000, may be taken or past 65535.
      const [port, busPort] = [await freePort(), await freePort()];
      const nodeDir = path.join(dir, String(port));
      mkdirSync(nodeDir);
      ports.push(port);
      nodeArgs.push(
        [
          ['--port', String(port), '--cluster-port', String(busPort), '--bind', '127.0.0.1'],
          ['--cluster-enabled', 'yes', '--cluster-config-file', path.join(nodeDir, 'nodes.conf')],
          ['--cluster-node-timeout', '5000', '--save', '', '--dir', nodeDir],
          options.durable ? ['--appendonly', 'yes', '--appendfsync', 'always'] : ['--appendonly', 'no'],
        ].flat(),
      );
      nodes.push(await startNode(i));
    }
    await run('redis-cli', [...cliAuth, '--cluster', 'create', ...hosts(), '--cluster-replicas', '0', '--cluster-yes']);
    await clusterOk();
  } catch (error) {
    await stop();
    throw error;
  }
  const credentials = options.password ? `:${encodeURIComponent(options.password)}@` : '';
  return {
    address: `redis-cluster://${credentials}${ports.map((p) => `127.0.0.1:${p}`).join(',')}`,
    process: nodes[0] ?? null,
    ports,
    cli,
    stop,
    async kill() {
      for (const node of nodes) await node.stop('SIGKILL');
    },
    async restart() {
      for (let i = 0; i < nodes.length; i++) {
        await nodes[i]?.stop();
        nodes[i] = await startNode(i);
      }
      await clusterOk();
    },
  };
}

/** Probes with backoff (as startProcess waits for readiness) until `check` holds, or fails naming `what`. */
async function until(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (let wait = 25; ; wait = Math.min(wait * 2, 500)) {
    if (await check().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(what);
    await new Promise((resolve) => setTimeout(resolve, wait));
  }
}
