import { AnswerbridgeError, type AgentGroupNotifier, type KeyValueStore } from '@answerbridge/core';

/** The port's type, under the name this module's users know. */
export type { AgentGroupNotifier };

/**
 * Posts to every group, each at most once per notice: one group failing does not keep the others from
 * being told, and when the job is retried the groups already told are not told again. The failure is
 * retryable if any group's was, so a lasting refusal (a revoked robot key) does not retry forever.
 */
export function notifyEachGroupOnce(notifiers: AgentGroupNotifier[], store: KeyValueStore) {
  return async (text: string, noticeId: string): Promise<void> => {
    const failures: { group: string; error: unknown }[] = [];
    for (const notifier of notifiers) {
      const marker = `agent-notice:${noticeId}:${notifier.name}`;
      if (await store.get(marker)) continue;
      try {
        await notifier.send(text);
        await store.set(marker, '1', 86_400_000);
      } catch (error) {
        failures.push({ group: notifier.name, error });
      }
    }
    if (failures.length === 0) return;
    const retryable = failures.some(({ error }) => !(error instanceof AnswerbridgeError) || error.retryable);
    const summary = failures
      .map(({ group, error }) => `${group}: ${error instanceof Error ? error.message : String(error)}`)
      .join('; ');
    throw new AnswerbridgeError('AGENT_NOTICE.FAILED', `agents' groups not told: ${summary}`, retryable, {
      cause: failures[0]?.error,
    });
  };
}
