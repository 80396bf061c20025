import { describe, expect, it } from 'vitest';
import { isConversationOf } from './ports';

describe('isConversationOf', () => {
  const alice = { channel: 'dingtalk', botId: 'b', senderId: 'alice' };

  it("matches the person's direct chat and their conversation in any group", () => {
    expect(isConversationOf('dingtalk/b/alice', alice)).toBe(true);
    expect(isConversationOf('dingtalk/b/cid+/x==/alice', alice)).toBe(true);
  });

  it('matches no one else: other people, other bots, other channels, ids that only contain the name', () => {
    for (const id of [
      'dingtalk/b/alice2',
      'dingtalk/b/xalice',
      'dingtalk/b/cid/bob',
      'dingtalk/b2/alice',
      'wecom/b/alice',
      'dingtalk/b//alice',
      'dingtalk/b/alice/bob',
    ]) {
      expect(isConversationOf(id, alice), id).toBe(false);
    }
    expect(isConversationOf('dingtalk/b/', { ...alice, senderId: '' })).toBe(false);
  });
});
