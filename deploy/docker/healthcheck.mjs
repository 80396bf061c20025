// The image's HEALTHCHECK: exits 0 when GET <url> answers 200 within 3 s. Without a URL it probes the
// readiness endpoint of whichever app this container runs (found from run-app.mjs's arguments in
// /proc), on the port that app's settings give, so one HEALTHCHECK line serves every app.
import { readFileSync, readdirSync } from 'node:fs';

const readiness = {
  gateway: () => `http://127.0.0.1:${process.env.GATEWAY_PORT || 3000}/readyz`,
  console: () => `http://127.0.0.1:${process.env.CONSOLE_PORT || 3200}/readyz`,
  worker: () => `http://127.0.0.1:${process.env.METRICS_PORT || 9464}/readyz`,
  simulator: () => `http://127.0.0.1:${process.env.SIMULATOR_PORT || 3100}/`,
};

function runningApp() {
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    let argv;
    try {
      argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    } catch {
      continue; // the process ended while we looked
    }
    const at = argv.findIndex((arg) => arg.endsWith('run-app.mjs'));
    if (at >= 0 && argv[at + 1]) return argv[at + 1];
  }
  return undefined;
}

let url = process.argv[2];
if (!url) {
  const app = runningApp();
  if (app === 'kb') process.exit(0); // a one-shot command: nothing serves, its exit code tells
  const probe = app ? readiness[app] : undefined;
  if (!probe) {
    console.error(`healthcheck: no app to probe (found ${app ?? 'none'}); pass a URL`);
    process.exit(1);
  }
  url = probe();
}
try {
  const res = await fetch(url, { signal: AbortSignal.timeout(3_000) });
  if (res.status !== 200) {
    console.error(`healthcheck: ${url} answered ${res.status}: ${(await res.text()).slice(0, 200)}`);
    process.exit(1);
  }
} catch (error) {
  console.error(`healthcheck: ${url} failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
