// Builds each app into dist/apps/<app>/main.mjs: libs bundled in, npm packages left external.
// Production and benchmarks run these; tsx (which adds keepNames wrappers to every closure) is for dev.
import { build } from 'esbuild';
import { readdirSync, existsSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const apps = readdirSync(path.join(root, 'apps')).filter((a) => existsSync(path.join(root, 'apps', a, 'src/main.ts')));
await Promise.all(
  apps.map((app) =>
    build({
      entryPoints: [path.join(root, 'apps', app, 'src/main.ts')],
      outfile: path.join(root, 'dist/apps', app, 'main.mjs'),
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      packages: 'external',
      sourcemap: true,
      tsconfig: path.join(root, 'tsconfig.base.json'),
      logLevel: 'warning',
    }),
  ),
);
console.log(`built ${apps.join(', ')} into dist/apps/`);
