import { spawn } from 'node:child_process';
import { appNodeArgs, workspaceRoot } from '@answerbridge/testing';

/** Runs the kb command as an operator would: a separate process, settings from its environment only. */
export function runKb(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
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
