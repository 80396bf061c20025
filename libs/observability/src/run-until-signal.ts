import { once } from 'node:events';
import { format } from 'node:util';
import { createServer, type RequestListener, type Server, type ServerOptions } from 'node:http';
import { createLogger, type Logger } from './logger';

export interface Closable {
  close(): Promise<void>;
}

/**
 * The body of every app's main.ts: start, then on SIGTERM/SIGINT stop taking work and close within
 * `graceMs`, else exit anyway (a stuck close must not hang a rollout). The handlers are in place before
 * starting: in a container the app is PID 1, which the kernel spares the default action of signals, so a
 * process still starting (waiting for Redis or Milvus) would otherwise ignore `docker stop` and Ctrl-C.
 */
export function runUntilSignal(name: string, start: () => Promise<Closable>, graceMs = 20_000): void {
  const log = createLogger({ name, level: 'info' });
  routeConsoleToLogger(log);
  let running: Closable | null = null;
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    if (!running) {
      // Nothing was taken yet: there is no work to finish.
      log.info({ signal }, 'stopped while starting');
      process.exit(0);
    }
    log.info({ signal }, 'shutting down');
    const timer = setTimeout(() => {
      log.error({ graceMs }, 'shutdown timed out; exiting');
      process.exit(1);
    }, graceMs);
    timer.unref();
    running.close().then(
      () => process.exit(0),
      (err: unknown) => {
        log.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
  start().then(
    (started) => {
      running = started;
    },
    (err: unknown) => {
      log.fatal({ err }, 'failed to start');
      process.exit(1);
    },
  );
}

/**
 * Sends what libraries print with console.* (the DingTalk Stream SDK announces every connect that way)
 * through the logger, so a process's stdout stays one JSON object a line. Returns the undo.
 */
export function routeConsoleToLogger(log: Logger): () => void {
  const original = {
    log: console.log,
    info: console.info,
    debug: console.debug,
    warn: console.warn,
    error: console.error,
  };
  const to =
    (level: 'info' | 'debug' | 'warn' | 'error') =>
    (...args: unknown[]) =>
      log[level]({ source: 'console' }, format(...args));
  Object.assign(console, {
    log: to('info'),
    info: to('info'),
    debug: to('debug'),
    warn: to('warn'),
    error: to('error'),
  });
  return () => void Object.assign(console, original);
}

/**
 * Starts an HTTP listener (an express app or a plain handler) and resolves with its URL once it listens.
 * `options` are node:http's server options (timeouts, for one).
 */
export async function listen(
  app: RequestListener,
  host: string,
  port: number,
  options: ServerOptions = {},
): Promise<{ server: Server; url: string }> {
  const server = createServer(options, app);
  server.listen(port, host);
  await once(server, 'listening');
  const address = server.address();
  return { server, url: `http://${host}:${typeof address === 'object' && address ? address.port : port}` };
}
