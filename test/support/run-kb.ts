import { spawn } from 'node:child_process';
import { runKb as runKbCommand } from '@answerbridge/kb';
import { appNodeArgs, workspaceRoot } from '@answerbridge/testing';

export interface KbRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs the kb command as an operator would: a separate process, settings from its environment only. Each run
 * costs a Node start and a TypeScript load (seconds on a busy CI machine), so tests use it where the process
 * itself is what they check (exit codes, output streams) and `runKb` everywhere else.
 */
export function runKbProcess(args: string[], env: Record<string, string>): Promise<KbRun> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, appNodeArgs(workspaceRoot, 'kb', ...args), {
      cwd: workspaceRoot,
      env: { LOG_LEVEL: 'error', ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/**
 * The same command in this process: the kb app's own entry point (`runKb` of apps/kb), given only `env` as its
 * environment, with what it prints captured line by line as the process would print it.
 */
export async function runKb(args: string[], env: Record<string, string>): Promise<KbRun> {
  let stdout = '';
  let stderr = '';
  const code = await runKbCommand(args, {
    env: { LOG_LEVEL: 'error', ...env },
    out: (line) => (stdout += `${line}\n`),
    err: (line) => (stderr += `${line}\n`),
  });
  return { code, stdout, stderr };
}
