import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer, connect } from 'node:net';
import { once } from 'node:events';

/** A port the OS says is free right now. */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  if (!address || typeof address === 'string') throw new Error('no port');
  return address.port;
}

export async function isPortOpen(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

export interface ManagedProcess {
  name: string;
  child: ChildProcess;
  /** Output so far (last 64 KB), for error messages. */
  output(): string;
  stop(signal?: NodeJS.Signals): Promise<void>;
}

/** How long one readiness probe may take: a port that accepts and never answers must not outlast the deadline. */
const PROBE_TIMEOUT_MS = 5_000;

/** Whether `ready()` holds within `ms`: a probe that throws, or hangs past `ms`, says not yet. */
async function probe(ready: () => Promise<boolean>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([ready().catch(() => false), late]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Starts a child process, keeps its recent output, and resolves once `ready()` holds (probed with backoff, each
 * probe bounded, so a hung probe ends in the deadline's error with the process output, not in the caller's timeout).
 */
export async function startProcess(
  name: string,
  command: string,
  args: string[],
  ready: () => Promise<boolean>,
  options: {
    env?: NodeJS.ProcessEnv;
    cwd?: string;
    timeoutMs?: number;
    echo?: boolean;
    /** Run as this user (a server that refuses to run as root, such as PostgreSQL). */
    uid?: number;
    gid?: number;
  } = {},
): Promise<ManagedProcess> {
  const child = spawn(command, args, {
    env: options.env,
    cwd: options.cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(options.uid === undefined ? {} : { uid: options.uid }),
    ...(options.gid === undefined ? {} : { gid: options.gid }),
  });
  let buffer = '';
  const keep = (chunk: Buffer) => {
    buffer = (buffer + chunk.toString('utf8')).slice(-65_536);
    if (options.echo) process.stderr.write(chunk.toString('utf8').replace(/^(?=.)/gm, `[${name}] `));
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  let exited: number | null | undefined;
  child.once('exit', (code) => {
    exited = code;
  });
  const managed: ManagedProcess = {
    name,
    child,
    output: () => buffer,
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const done = once(child, 'exit');
      child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await done;
      clearTimeout(timer);
    },
  };
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  for (let wait = 25; ; wait = Math.min(wait * 2, 500)) {
    if (exited !== undefined) throw new Error(`${name} exited with ${exited} before it was ready:\n${buffer}`);
    if (await probe(ready, Math.min(PROBE_TIMEOUT_MS, Math.max(0, deadline - Date.now())))) return managed;
    if (Date.now() > deadline) {
      await managed.stop('SIGKILL');
      throw new Error(`${name} not ready after ${options.timeoutMs ?? 60_000} ms:\n${buffer}`);
    }
    await new Promise((r) => setTimeout(r, wait));
  }
}

export function commandExists(command: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
}

/**
 * Node arguments that run an app's TypeScript entry in this very process (tsx as a loader). Not the
 * tsx CLI: it runs the app in a child process, so a SIGKILL of what we started would leave the app alive.
 */
export function appNodeArgs(workspaceRoot: string, app: string, ...args: string[]): string[] {
  return ['--import', 'tsx', `${workspaceRoot}/apps/${app}/src/main.ts`, ...args];
}
