import type { EscalationService } from '@answerbridge/escalation';
import type { Logger } from '@answerbridge/observability';

export interface NotifyUnclaimedDeps {
  escalation: EscalationService;
  /** Posts to the agents' groups (WeCom group robot, DingTalk group), once per notice id; absent when not configured. */
  notifyAgents?: (text: string, noticeId: string) => Promise<void>;
  expectedWaitMinutes: number;
  consoleUrl?: string;
  logger: Logger;
}

/** An escalation nobody claimed in time: tell the agents' group, and tell the asker how long to expect. */
export async function notifyUnclaimed(
  deps: NotifyUnclaimedDeps,
  check: { conversationId: string; escalatedAt: number },
): Promise<void> {
  const escalation = await deps.escalation.stillUnclaimed(check.conversationId, check.escalatedAt);
  if (!escalation) return;
  const waited = Math.round((Date.now() - escalation.escalatedAt) / 60_000);
  // The asker first (idempotent: the notice has a fixed id), so an agents' group that cannot be reached
  // does not leave them uninformed.
  await deps.escalation.tellStillWaiting(escalation, deps.expectedWaitMinutes);
  deps.logger.warn(
    { event: 'escalation_unclaimed', conversationId: escalation.conversationId, waitedMinutes: waited },
    'escalation unclaimed',
  );
  if (deps.notifyAgents) {
    await deps.notifyAgents(
      `【待接入】${escalation.channel} 用户 ${escalation.senderId} 已等待 ${waited} 分钟：${escalation.question.slice(0, 100)}` +
        (deps.consoleUrl ? `\n${deps.consoleUrl}` : ''),
      `${escalation.conversationId}:${escalation.escalatedAt}`,
    );
  }
}
