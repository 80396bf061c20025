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
};
const allIo = Object.values(io);
const except = (...keep) => allIo.filter((p) => !keep.includes(p));

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
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          allow: [],
          depConstraints: [
            {
              sourceTag: 'type:app',
              onlyDependOnLibsWithTags: ['type:feature', 'type:adapter', 'type:domain', 'type:util', 'type:app'],
              bannedExternalImports: [io.bullmq, io.milvus, io.openai, io.ioredis],
            },
            {
              sourceTag: 'type:feature',
              onlyDependOnLibsWithTags: ['type:feature', 'type:adapter', 'type:domain', 'type:util'],
              bannedExternalImports: [io.bullmq, io.milvus, io.openai, io.ioredis, io.express],
            },
            { sourceTag: 'type:adapter', onlyDependOnLibsWithTags: ['type:domain', 'type:util'] },
            {
              sourceTag: 'type:domain',
              onlyDependOnLibsWithTags: ['type:domain', 'type:util'],
              bannedExternalImports: [...allIo, 'node:http', 'node:https', 'node:net', 'node:fs', 'node:child_process'],
            },
            {
              sourceTag: 'type:util',
              onlyDependOnLibsWithTags: ['type:util', 'type:domain'],
              bannedExternalImports: except(),
            },
            {
              sourceTag: 'type:testing',
              onlyDependOnLibsWithTags: ['type:feature', 'type:adapter', 'type:domain', 'type:util', 'type:app'],
            },
            { sourceTag: 'adapter:redis', bannedExternalImports: except(io.bullmq, io.ioredis) },
            { sourceTag: 'adapter:channel', bannedExternalImports: allIo },
            { sourceTag: 'adapter:embedding', bannedExternalImports: except(io.openai) },
            { sourceTag: 'adapter:milvus', bannedExternalImports: except(io.milvus) },
          ],
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
