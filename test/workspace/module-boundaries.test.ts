import path from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../..');

/**
 * Lint is only a guard if it fails on a violation: these probes are linted as if they were files in
 * the named lib (nothing is written), and each must be refused by the boundary rules.
 */
describe('module boundaries are enforced by lint', () => {
  const eslint = new ESLint({ cwd: root });
  const lint = async (file: string, code: string) => {
    const [result] = await eslint.lintText(code, { filePath: path.join(root, file) });
    return (result?.messages ?? []).map((m) => `${m.ruleId}: ${m.message}`);
  };

  it.each([
    [
      'libs/answering/src/probe.ts',
      "import { Queue } from 'bullmq';\nexport const x = Queue;\n",
      /type:domain.*not allowed to import "bullmq"/,
    ],
    [
      'libs/answering/src/probe.ts',
      "import { JobProducer } from '@answerbridge/redis';\nexport const x = JobProducer;\n",
      /can only depend on libs tagged/,
    ],
    [
      'libs/knowledge/src/probe.ts',
      "import { MilvusClient } from '@zilliz/milvus2-sdk-node';\nexport const x = MilvusClient;\n",
      /not allowed to import "@zilliz\/milvus2-sdk-node"/,
    ],
    [
      'libs/channels/wecom/src/probe.ts',
      "import OpenAI from 'openai';\nexport const x = OpenAI;\n",
      /not allowed to import "openai"/,
    ],
    [
      'apps/gateway/src/probe.ts',
      "import { Queue } from 'bullmq';\nexport const x = Queue;\n",
      /type:app.*not allowed to import "bullmq"/,
    ],
    [
      'libs/pipeline/src/probe.ts',
      "import { x } from '../../redis/src/job-queues';\nexport const y = x;\n",
      /relative or absolute path/,
    ],
    ['libs/pipeline/src/probe.ts', 'export const port = process.env.PORT;\n', /Only libs\/config reads process.env/],
    // One HTTP client: a channel calling fetch itself is refused.
    [
      'libs/channels/wecom/src/probe.ts',
      'export const get = (url: string) => fetch(url);\n',
      /no-restricted-globals: .*HttpClient/,
    ],
    // Features depend on ports (libs/core), not adapters: escalation, knowledge and the use cases of pipeline.
    [
      'libs/escalation/src/probe.ts',
      "import type { JobProducer } from '@answerbridge/redis';\nexport type X = JobProducer;\n",
      /type:feature.*can only depend on libs tagged/,
    ],
    [
      'libs/knowledge/src/probe.ts',
      "import type { MilvusVectorStore } from '@answerbridge/vector-store';\nexport type X = MilvusVectorStore;\n",
      /type:feature.*can only depend on libs tagged/,
    ],
    [
      'libs/knowledge/src/probe.ts',
      "import type { Embedder } from '@answerbridge/embedding';\nexport type X = Embedder;\n",
      /type:feature.*can only depend on libs tagged/,
    ],
    [
      'libs/pipeline/src/probe.ts',
      "import type { JobProducer } from '@answerbridge/redis';\nexport type X = JobProducer;\n",
      /Use cases depend on ports/,
    ],
    [
      'libs/escalation/src/probe.ts',
      "import { InMemoryVectorStore } from '@answerbridge/testing';\nexport const x = InMemoryVectorStore;\n",
      /can only depend on libs tagged/,
    ],
  ])('refuses %s importing what it must not (%#)', async (file, code, expected) => {
    const messages = await lint(file, code);
    expect(messages.join('\n')).toMatch(expected);
  });

  it.each([
    // The wiring is where adapters are built.
    [
      'libs/pipeline/src/wiring/probe.ts',
      "import { MilvusVectorStore } from '@answerbridge/vector-store';\nexport const x = MilvusVectorStore;\n",
    ],
    // A use case's unit test runs it on the fakes of libs/testing.
    [
      'libs/escalation/src/probe.test.ts',
      "import { RecordingJobEnqueuer } from '@answerbridge/testing';\nexport const x = RecordingJobEnqueuer;\n",
    ],
  ])('accepts an allowed import in %s', async (file, code) => {
    expect(await lint(file, code)).toEqual([]);
  });

  it('accepts an allowed import', async () => {
    const messages = await lint(
      'libs/pipeline/src/probe.ts',
      "import { decide } from '@answerbridge/answering';\nexport const x = decide;\n",
    );
    expect(messages).toEqual([]);
  });
});
