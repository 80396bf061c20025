import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConfidenceModel } from '@answerbridge/answering';
import { RedisDecisionLog } from '@answerbridge/queue';
import { runKb } from '../support/run-kb';
import { startSystem, type SystemUnderTest } from '../support/system-under-test';

/**
 * A knowledge base calibrated on its own labelled questions: `kb calibrate` fits a confidence model on them,
 * searched as the bot searches, records it with the active version, and the worker decides with it.
 */
describe('kb calibrate on the real stack', () => {
  let sut: SystemUnderTest;
  beforeAll(async () => {
    sut = await startSystem();
  });
  afterAll(async () => {
    await sut?.stop();
  });

  it('fits a model with held-out figures, records it with the active version, and the worker decides with it', async () => {
    // A target other than the shipped model's, so its thresholds cannot be mistaken for the shipped ones.
    const res = await runKb(
      ['calibrate', sut.bot.id, 'data/sample-eval.jsonl', '--target-precision', '0.9', '--json'],
      sut.env,
    );
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    const { model, version } = JSON.parse(res.stdout) as {
      model: ConfidenceModel;
      version: { version: number; calibrated: boolean };
    };
    expect(model).toMatchObject({ calibrated: true, targetPrecision: 0.9 });
    expect(model.fittedOn).toMatch(new RegExp(`150 labelled questions on ${sut.bot.id} v${version.version}`));
    expect(model.expected?.folds).toBe(5);
    expect(version.calibrated).toBe(true);

    const versions = await runKb(['versions', sut.bot.id], sut.env);
    expect(versions.stdout).toMatch(/^\* v\d+ .* calibrated$/m);

    // The worker reads the model with the active version (cached a few seconds) and holds decisions to it.
    const log = new RedisDecisionLog(sut.redis, sut.config.QUEUE_PREFIX);
    const client = sut.simulator.wecomClient(sut.bot.id);
    let decided = null;
    for (let i = 0; i < 20 && !decided; i++) {
      await client.sendText(`cal${i}`, '年假有几天？');
      await sut.simulator.wecom.nextMessageTo(`cal${i}`);
      decided =
        (await log.recent(50)).find(
          (r) => r.conversationId.endsWith(`/cal${i}`) && r.thresholds.answer === model.answerAt,
        ) ?? null;
    }
    expect(decided?.thresholds).toMatchObject({ answer: model.answerAt, suggest: model.suggestAt, calibrated: true });
  });

  it('refuses questions that name entries the knowledge base does not have, and a bot with nothing ingested', async () => {
    const wrong = await runKb(['calibrate', sut.bot.id, 'package.json'], sut.env);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/package\.json:1: /);
    const unknown = await runKb(['calibrate', 'nosuchbot', 'data/sample-eval.jsonl'], sut.env);
    expect(unknown.code).not.toBe(0);
    expect(unknown.stderr).toMatch(/nosuchbot/);
  });
});
