import { describe, expect, it } from 'vitest';
import { AnswerbridgeError, InMemoryKeyValueStore } from '@answerbridge/core';
import { notifyEachGroupOnce, type AgentGroupNotifier } from './notify-agent-groups';

describe('notifyEachGroupOnce', () => {
  it('on a retry after one group failed, tells only the groups not yet told', async () => {
    const told: string[] = [];
    let dingTalkDown = true;
    const groups: AgentGroupNotifier[] = [
      { name: 'wecom-robot', send: async (text) => void told.push(`wecom:${text}`) },
      {
        name: 'dingtalk-group',
        send: async (text) => {
          if (dingTalkDown) throw new Error('DingTalk 503');
          told.push(`dingtalk:${text}`);
        },
      },
    ];
    const notify = notifyEachGroupOnce(groups, new InMemoryKeyValueStore());
    await expect(notify('waiting', 'c1:100')).rejects.toThrow('DingTalk 503');
    dingTalkDown = false;
    await notify('waiting', 'c1:100');
    await notify('waiting', 'c1:100');
    expect(told).toEqual(['wecom:waiting', 'dingtalk:waiting']);
    // Another notice (a new escalation of the same conversation) is a new message to both.
    await notify('again', 'c1:200');
    expect(told).toEqual(['wecom:waiting', 'dingtalk:waiting', 'wecom:again', 'dingtalk:again']);
  });
});

describe('notifyEachGroupOnce when a group refuses for good', () => {
  it('still tells the other groups, and fails without retry only if every failure is permanent', async () => {
    const told: string[] = [];
    const refused = new AnswerbridgeError('WECOM.ROBOT', 'invalid webhook key', false);
    const store = new InMemoryKeyValueStore();
    const notify = notifyEachGroupOnce(
      [
        { name: 'wecom-robot', send: async () => Promise.reject(refused) },
        { name: 'dingtalk-group', send: async (text) => void told.push(text) },
      ],
      store,
    );
    await expect(notify('waiting', 'c2:1')).rejects.toMatchObject({
      code: 'AGENT_NOTICE.FAILED',
      retryable: false,
      message: expect.stringContaining('wecom-robot: invalid webhook key'),
    });
    expect(told).toEqual(['waiting']);
    const flaky = notifyEachGroupOnce(
      [{ name: 'x', send: async () => Promise.reject(new Error('socket hang up')) }],
      store,
    );
    await expect(flaky('waiting', 'c3:1')).rejects.toMatchObject({ retryable: true });
  });
});
