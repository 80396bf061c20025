import { describe, expect, it } from 'vitest';
import type { KeyValueStore } from '@answerbridge/core';
import { notifyEachGroupOnce, type AgentGroupNotifier } from './channel-senders';

class MapStore implements KeyValueStore {
  readonly values = new Map<string, string>();
  async get(key: string) {
    return this.values.get(key) ?? null;
  }
  async setIfAbsent(key: string, value: string) {
    if (this.values.has(key)) return false;
    this.values.set(key, value);
    return true;
  }
  async set(key: string, value: string) {
    this.values.set(key, value);
  }
  async deleteIfEquals(key: string, expected: string) {
    return this.values.get(key) === expected && this.values.delete(key);
  }
}

describe('notifyEachGroupOnce', () => {
  it('on a retry after one group failed, tells only the groups not yet told', async () => {
    const told: string[] = [];
    let dingtalkDown = true;
    const groups: AgentGroupNotifier[] = [
      { name: 'wecom-robot', send: async (text) => void told.push(`wecom:${text}`) },
      {
        name: 'dingtalk-group',
        send: async (text) => {
          if (dingtalkDown) throw new Error('DingTalk 503');
          told.push(`dingtalk:${text}`);
        },
      },
    ];
    const notify = notifyEachGroupOnce(groups, new MapStore());
    await expect(notify('waiting', 'c1:100')).rejects.toThrow('DingTalk 503');
    dingtalkDown = false;
    await notify('waiting', 'c1:100');
    await notify('waiting', 'c1:100');
    expect(told).toEqual(['wecom:waiting', 'dingtalk:waiting']);
    // Another notice (a new escalation of the same conversation) is a new message to both.
    await notify('again', 'c1:200');
    expect(told).toEqual(['wecom:waiting', 'dingtalk:waiting', 'wecom:again', 'dingtalk:again']);
  });
});
