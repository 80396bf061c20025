import { spawnSync } from 'node:child_process';
import { mkdtempSync, symlinkSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../..');

/** A PATH holding only these programs (as this machine has them): a machine without the rest. */
function pathWith(programs: Record<string, string>): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'ab-path-'));
  for (const [name, target] of Object.entries(programs)) symlinkSync(target, path.join(dir, name));
  return dir;
}

const which = (name: string) => spawnSync('bash', ['-c', `command -v ${name}`], { encoding: 'utf8' }).stdout.trim();
const realPython = spawnSync('python3', ['-c', 'import sys; print(sys.executable)'], {
  encoding: 'utf8',
}).stdout.trim();
const basics = {
  node: process.execPath,
  npm: which('npm'),
  bash: which('bash'),
  env: which('env'),
  cut: which('cut'),
  dirname: which('dirname'),
};

/** A port nothing listens on: the machine has no Redis of its own. */
async function deadPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return typeof address === 'object' && address ? address.port : 1;
}

describe('the first run on a machine that lacks something', () => {
  it('npm run dev, without Redis or redis-server, names what is missing with its install command and exits non-zero before installing anything', async () => {
    const res = spawnSync('bash', ['scripts/dev.sh'], {
      cwd: root,
      encoding: 'utf8',
      env: {
        PATH: pathWith({ ...basics, python3: realPython }),
        HOME: mkdtempSync(path.join(tmpdir(), 'ab-home-')),
        ANSWERBRIDGE_REDIS_PORT: String(await deadPort()),
      },
      timeout: 30_000,
    });
    expect(res.status).toBe(1);
    expect(res.stderr).toContain('Answerbridge cannot start: this machine is missing');
    expect(res.stderr).toMatch(
      /Redis: nothing answers on 127\.0\.0\.1:\d+ and redis-server is not installed: sudo apt-get install -y redis-server/,
    );
    expect(res.stdout).not.toMatch(/added \d+ packages/);
  });

  it('names a missing Python and a missing Node.js alike', async () => {
    const res = spawnSync(which('bash'), ['scripts/check-prerequisites.sh'], {
      cwd: root,
      encoding: 'utf8',
      env: {
        PATH: pathWith({ bash: basics.bash, cut: basics.cut, dirname: basics.dirname }),
        ANSWERBRIDGE_REDIS_PORT: String(await deadPort()),
      },
    });
    expect(res.status).toBe(1);
    expect(res.stderr).toMatch(/Node\.js 20\.19\+ \(or 22\+\) is not installed/);
    expect(res.stderr).toMatch(/Python 3\.10\+ is not installed: sudo apt-get install -y python3 python3-venv/);
  });

  it('passes on this machine, which has everything', () => {
    const res = spawnSync('bash', ['scripts/check-prerequisites.sh'], { cwd: root, encoding: 'utf8' });
    expect(res.stderr).toBe('');
    expect(res.status).toBe(0);
  });
});
