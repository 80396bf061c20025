import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, EnvSchema, appSettings, loadAppConfig, loadConfig, type GatewaySettings } from './index';

const bots = (() => {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'ab-apps-')), 'bots.json');
  writeFileSync(
    file,
    JSON.stringify({
      bots: [
        {
          id: 'hr',
          channel: 'wecom',
          corpId: 'ww1',
          agentId: 1,
          token: 't',
          encodingAesKey: 'a'.repeat(43),
          secret: '${HR_SECRET}',
        },
      ],
    }),
  );
  return file;
})();

describe('each app parses only its own settings', () => {
  it("is not stopped by another app's invalid setting, and still refuses its own", () => {
    const env = { BOTS_FILE: bots, HR_SECRET: 's', CONSOLE_PORT: 'not a port', GATEWAY_PORT: '8080' };
    expect(() => loadConfig(env, {})).toThrow(ConfigError);
    const gateway = loadAppConfig('gateway', env, {});
    expect(gateway.GATEWAY_PORT).toBe(8080);
    expect(gateway.bots[0]).toMatchObject({ id: 'hr', secret: 's' });
    expect(() => loadAppConfig('console', env, {})).toThrow(/CONSOLE_PORT/);
  });

  it("reads the settings it shares with other apps, and offers none of the others' by type", () => {
    const worker = loadAppConfig(
      'worker',
      { BOTS_FILE: bots, HR_SECRET: 's', QUEUE_PREFIX: 'x', WORKER_CONCURRENCY: '3' },
      {},
    );
    expect([worker.QUEUE_PREFIX, worker.WORKER_CONCURRENCY]).toEqual(['x', 3]);
    const gateway: GatewaySettings = loadAppConfig(
      'gateway',
      { BOTS_FILE: bots, HR_SECRET: 's', WORKER_CONCURRENCY: '3' },
      {},
    );
    // @ts-expect-error the gateway does not run jobs: the worker's settings are not in its type, nor read.
    expect(gateway.WORKER_CONCURRENCY).not.toBe(3);
  });

  it('names only settings that exist, and every setting belongs to some app or tool', () => {
    const known = new Set(Object.keys(EnvSchema.shape));
    const used = new Set(Object.values(appSettings).flat());
    expect([...used].filter((k) => !known.has(k))).toEqual([]);
    // DEMO_QUEUE_PREFIX is npm run dev's, which hands it to the apps as their QUEUE_PREFIX.
    expect([...known].filter((k) => !used.has(k as never))).toEqual(['DEMO_QUEUE_PREFIX']);
  });
});
