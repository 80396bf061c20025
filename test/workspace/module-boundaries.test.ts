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
      "import { JobProducer } from '@answerbridge/queue';\nexport const x = JobProducer;\n",
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
      "import { x } from '../../queue/src/job-queues';\nexport const y = x;\n",
      /relative or absolute path/,
    ],
    ['libs/pipeline/src/probe.ts', 'export const port = process.env.PORT;\n', /Only libs\/config reads process.env/],
  ])('refuses %s importing what it must not (%#)', async (file, code, expected) => {
    const messages = await lint(file, code);
    expect(messages.join('\n')).toMatch(expected);
  });

  it('accepts an allowed import', async () => {
    const messages = await lint(
      'libs/pipeline/src/probe.ts',
      "import { decide } from '@answerbridge/answering';\nexport const x = decide;\n",
    );
    expect(messages).toEqual([]);
  });
});
