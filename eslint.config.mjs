// Lint is where the architecture is enforced: Nx module boundaries (scope/type tags), one public entry
// per lib, and which lib may import which I/O package. See README "Workspace rules".
import js from '@eslint/js';
import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';

const io = {
  bullmq: 'bullmq',
  milvus: '@zilliz/milvus2-sdk-node',
  openai: 'openai',
  ioredis: 'ioredis',
  express: 'express',
  pg: 'pg',
};
const allIo = Object.values(io);
const except = (...keep) => allIo.filter((p) => !keep.includes(p));

/** Our own libraries that talk to the outside world; features reach them only through ports in libs/core. */
const adapters = [
  '@answerbridge/redis',
  '@answerbridge/database',
  '@answerbridge/vector-store',
  '@answerbridge/embedding',
];
/** Every channel lib is an adapter: a new channel needs no line here (the registry is the one place that names it). */
const channelAdapters = '@answerbridge/channel-*';

/**
 * Which lib may depend on which (Nx tags in each project.json). Features depend on ports, not adapters:
 * `type:composition` (libs/pipeline) is the one lib that builds adapters, in its `src/wiring/`.
 * Unit tests may also import the fakes of `type:testing` (libs/testing).
 */
const portsOnly =
  'Use cases depend on ports (@answerbridge/core: JobEnqueuer, VectorStore, Embedder, Reranker, ChannelSender), not adapters; build adapters in libs/pipeline/src/wiring.';

const boundaries = ({ tests = false } = {}) => {
  const testing = tests ? ['type:testing'] : [];
  return {
    enforceBuildableLibDependency: false,
    allow: [],
    depConstraints: [
      {
        sourceTag: 'type:app',
        onlyDependOnLibsWithTags: [
          'type:composition',
          'type:feature',
          'type:adapter',
          'type:domain',
          'type:util',
          'type:app',
        ],
        bannedExternalImports: [io.bullmq, io.milvus, io.openai, io.ioredis, io.pg],
      },
      {
        sourceTag: 'type:composition',
        onlyDependOnLibsWithTags: ['type:feature', 'type:adapter', 'type:domain', 'type:util', ...testing],
        bannedExternalImports: [io.bullmq, io.milvus, io.openai, io.ioredis, io.express, io.pg],
      },
      {
        sourceTag: 'type:feature',
        onlyDependOnLibsWithTags: ['type:feature', 'type:domain', 'type:util', ...testing],
        bannedExternalImports: [io.bullmq, io.milvus, io.openai, io.ioredis, io.express, io.pg],
      },
      // `channel:protocol`: a channel lib whose wire format others build on (WeCom's crypto, XML and token
      // handling serve the self-built app, the AI bot and 微信客服 alike), so they reuse it instead of copying.
      {
        sourceTag: 'type:adapter',
        onlyDependOnLibsWithTags: ['type:domain', 'type:util', 'channel:protocol', ...testing],
      },
      {
        sourceTag: 'type:domain',
        onlyDependOnLibsWithTags: ['type:domain', 'type:util', ...testing],
        bannedExternalImports: [...allIo, 'node:http', 'node:https', 'node:net', 'node:fs', 'node:child_process'],
      },
      {
        sourceTag: 'type:util',
        onlyDependOnLibsWithTags: ['type:util', 'type:domain', ...testing],
        bannedExternalImports: except(),
      },
      {
        sourceTag: 'type:testing',
        onlyDependOnLibsWithTags: [
          'type:composition',
          'type:feature',
          'type:adapter',
          'type:domain',
          'type:util',
          'type:app',
        ],
      },
      { sourceTag: 'adapter:redis', bannedExternalImports: except(io.bullmq, io.ioredis) },
      { sourceTag: 'adapter:postgres', bannedExternalImports: except(io.pg) },
      { sourceTag: 'adapter:channel', bannedExternalImports: allIo },
      { sourceTag: 'adapter:embedding', bannedExternalImports: except(io.openai) },
      { sourceTag: 'adapter:milvus', bannedExternalImports: except(io.milvus) },
    ],
  };
};

export default tseslint.config(
  { ignores: ['**/node_modules/**', '.venv/**', '.nx/**', 'dist/**', 'test/output/**', '**/*.html'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts', '**/*.mjs'],
    plugins: { '@nx': nx },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-restricted-syntax': [
        'error',
        {
          selector: "MemberExpression[object.name='process'][property.name='env']",
          message: 'Only libs/config reads process.env; take settings from loadConfig().',
        },
      ],
      '@nx/enforce-module-boundaries': ['error', boundaries()],
    },
  },
  {
    // Unit tests beside the code may use the fakes in libs/testing (in-memory ports).
    files: ['libs/**/*.test.ts', 'apps/**/*.test.ts'],
    rules: { '@nx/enforce-module-boundaries': ['error', boundaries({ tests: true })] },
  },
  {
    // The use cases in libs/pipeline take ports too; only its wiring builds the adapters.
    files: ['libs/pipeline/src/**/*.ts'],
    ignores: ['libs/pipeline/src/wiring/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: adapters.map((name) => ({ name, message: portsOnly })),
          patterns: [{ group: [channelAdapters], message: portsOnly }],
        },
      ],
    },
  },
  {
    // The platforms, webhooks and model servers are called through one HTTP client (libs/core's HttpClient:
    // timeouts, error classification, retries and redirects decided in one place), not with fetch directly.
    files: ['libs/**/*.ts', 'apps/gateway/**/*.ts', 'apps/worker/**/*.ts', 'apps/console/**/*.ts', 'apps/kb/**/*.ts'],
    ignores: ['libs/core/src/http-client.ts', 'libs/testing/**', '**/*.test.ts'],
    rules: {
      'no-restricted-globals': [
        'error',
        {
          name: 'fetch',
          message: 'Call HTTP through HttpClient (@answerbridge/core), which sets timeouts and classifies errors.',
        },
      ],
    },
  },
  {
    // Configuration is the single reader of the environment; launchers and benchmarks hand it to the
    // processes they start, and the image's health check reads the port its app was given.
    files: ['libs/config/**/*.ts', 'scripts/**', 'bench/**', 'deploy/docker/**'],
    rules: { 'no-restricted-syntax': 'off' },
  },
  {
    files: ['**/*.mjs'],
    languageOptions: {
      globals: { process: 'readonly', console: 'readonly', fetch: 'readonly', AbortSignal: 'readonly' },
    },
  },
  // Layout belongs to Prettier (checked by `npm run format:check`); no lint rule may fight it.
  prettier,
);
