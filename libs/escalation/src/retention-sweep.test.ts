import { describe, expect, it } from 'vitest';
import { InMemoryKeyValueStore } from '@answerbridge/core';
import type { PersonalDataService } from './personal-data-service';
import { startRetentionSweep } from './retention-sweep';

describe('startRetentionSweep', () => {
  it('sweeps at once in the replica that takes the lock, and only there', async () => {
    const lock = new InMemoryKeyValueStore();
    let sweeps = 0;
    const service = {
      applyRetention: async () => (sweeps++, { escalations: 2, decisions: 3 }),
    } as unknown as PersonalDataService;
    const swept: unknown[] = [];
    const options = { everyMs: 3_600_000, lock, onSwept: (r: unknown) => swept.push(r), onError: () => undefined };
    const first = startRetentionSweep(service, options);
    const second = startRetentionSweep(service, options);
    await Promise.all([first.stop(), second.stop()]);
    expect(sweeps).toBe(1);
    expect(swept).toEqual([{ escalations: 2, decisions: 3 }]);
  });

  it('reports a failed sweep instead of throwing', async () => {
    const errors: unknown[] = [];
    const service = {
      applyRetention: async () => {
        throw new Error('redis down');
      },
    } as unknown as PersonalDataService;
    const sweep = startRetentionSweep(service, {
      everyMs: 3_600_000,
      lock: new InMemoryKeyValueStore(),
      onSwept: () => undefined,
      onError: (e) => errors.push(e),
    });
    await sweep.stop();
    expect(errors).toEqual([new Error('redis down')]);
  });
});
