// The image's entrypoint: `docker run <image> gateway|worker|console|simulator|kb [arguments]` runs
// that app's bundle (dist/apps/<app>/main.mjs) in this process, so signals reach the app directly.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const apps = ['gateway', 'worker', 'console', 'simulator', 'kb'];
const [app, ...args] = process.argv.slice(2);
if (!app || !apps.includes(app)) {
  console.error(`usage: <image> ${apps.join('|')} [arguments]   (got: ${app ?? 'nothing'})`);
  process.exit(64);
}
const entry = path.join(import.meta.dirname, 'dist/apps', app, 'main.mjs');
if (!existsSync(entry)) {
  console.error(`${entry} is missing: the image was built without running deploy/docker/assemble-runtime.sh`);
  process.exit(70);
}
// The app reads its own arguments (kb's subcommands) from argv as if it had been started directly.
process.argv = [process.argv[0] ?? 'node', entry, ...args];
await import(pathToFileURL(entry).href);
