import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../..');
const chat = (...args: string[]) =>
  spawnSync(process.execPath, ['--import', 'tsx', 'apps/simulator/src/chat-cli.ts', ...args], {
    cwd: root,
    encoding: 'utf8',
    timeout: 30_000,
  });

describe('npm run chat', () => {
  it('explains itself on --help, Chinese first', () => {
    const res = chat('--help');
    expect(res.status).toBe(0);
    expect(res.stdout).toMatch(/^npm run chat -- \[--user zhangsan\]/);
    expect(res.stdout).toContain('以企业微信用户的身份在终端里和机器人对话');
  });

  it('refuses an unknown option with the usage, not a stack trace', () => {
    const res = chat('--frobnicate');
    expect(res.status).toBe(2);
    expect(res.stderr).toMatch(/Unknown option '--frobnicate'/);
    expect(res.stderr).toContain('--simulator');
    expect(res.stderr).not.toMatch(/\n\s+at /);
  });
});
