import type { WorkerSettings } from '@answerbridge/config';
import {
  HttpClient,
  type AgentGroupNotifier,
  type ChannelHandover,
  type ChannelRelay,
  type ChannelSender,
  type KeyValueStore,
} from '@answerbridge/core';
import type { Logger, Metrics } from '@answerbridge/observability';
import { notifyEachGroupOnce } from '../notify-agent-groups';
import { channelRegistry, configureChannels, validReplyTarget, type AnyChannel } from './channel-registry';

/**
 * One sender per channel of the registry, by channel name, each serving every bot of its channel (tokens
 * shared through `store`), and the agents' groups the channels' settings configure. Each sender gets only
 * replies whose target its channel's `replyTargetSchema` accepts.
 */
export function createChannelSenders(
  config: Pick<WorkerSettings, 'bots' | 'environment'>,
  store: KeyValueStore,
  { metrics, logger, relay }: { metrics: Metrics; logger: Logger; relay: () => ChannelRelay },
  registry: readonly AnyChannel[] = channelRegistry,
) {
  const senders = new Map<string, ChannelSender>();
  const agentGroups: AgentGroupNotifier[] = [];
  const handovers = new Map<string, ChannelHandover>();
  for (const { definition, bots, settings } of configureChannels(config, registry)) {
    const context = {
      bots,
      settings,
      store,
      relay,
      http: (options: { codePrefix: string; baseUrl?: string }) => new HttpClient(options),
      logger,
      nowMs: Date.now,
      countApiError: (code: string) => metrics.channelErrors.inc({ channel: definition.name, code }),
    };
    const sender = definition.sender(context);
    senders.set(definition.name, {
      send: (reply) => sender.send({ ...reply, target: validReplyTarget(reply.target, registry) }),
    });
    agentGroups.push(...(definition.agentGroups?.(context) ?? []));
    const handover = definition.handover?.(context);
    if (handover) handovers.set(definition.name, handover);
  }
  return {
    senders: senders as ReadonlyMap<string, ChannelSender>,
    handovers: handovers as ReadonlyMap<string, ChannelHandover>,
    notifyAgents: agentGroups.length > 0 ? notifyEachGroupOnce(agentGroups, store) : undefined,
  };
}
