import type { BotConfig } from '@answerbridge/config';
import { ConfigError } from '@answerbridge/config';
import { dingTalkChannel } from '@answerbridge/channel-dingtalk';
import { wecomChannel } from '@answerbridge/channel-wecom';
import { wecomAibotChannel } from '@answerbridge/channel-wecom-aibot';
import { wecomKfChannel } from '@answerbridge/channel-wecom-kf';
import { RejectedInputError, type BotBase, type ChannelDefinition, type ReplyTarget } from '@answerbridge/core';
import { z } from 'zod';

/** A channel as the registry holds it: its own bot and settings types are its business. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyChannel = ChannelDefinition<any, any>;

/**
 * Every channel Answerbridge speaks. Adding one is its lib (libs/channels/<name>, exporting a
 * `ChannelDefinition`), its line here and its simulator: the gateway, the worker, the console and the
 * bots file all loop over this list, and test/workspace/channel-registry.test.ts refuses channel names
 * written anywhere else.
 */
export const channelRegistry: readonly AnyChannel[] = [
  wecomChannel,
  dingTalkChannel,
  wecomAibotChannel,
  wecomKfChannel,
];

const names = (registry: readonly AnyChannel[]) => registry.map((c) => c.name).join(', ');
const issuesOf = (error: z.ZodError) =>
  error.issues.map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message)).join('; ');

/** The channel of this name, or undefined. */
export function channelNamed(name: string, registry: readonly AnyChannel[] = channelRegistry): AnyChannel | undefined {
  return registry.find((c) => c.name === name);
}

/** The channels' names and labels, for screens and API descriptions. */
export function channelLabels(registry: readonly AnyChannel[] = channelRegistry) {
  return registry.map((c) => ({ name: c.name, label: c.label }));
}

/**
 * Checks each bot of the bots file against its channel's `botSchema` (defaults applied), in file order. A bot
 * of a channel nobody knows, or with fields its channel refuses, stops the boot with a message naming the bot,
 * the channel and each field.
 */
export function parseChannelBots(
  bots: readonly BotConfig[],
  registry: readonly AnyChannel[] = channelRegistry,
): BotBase[] {
  return bots.map((bot) => {
    const channel = channelNamed(bot.channel, registry);
    if (!channel)
      throw new ConfigError(`bots file: bot "${bot.id}": unknown channel '${bot.channel}' (known: ${names(registry)})`);
    const parsed = channel.botSchema.safeParse(bot);
    if (!parsed.success)
      throw new ConfigError(`bots file: bot "${bot.id}" (${channel.name}): ${issuesOf(parsed.error)}`);
    return parsed.data as BotBase;
  });
}

/** The bots of one channel, checked against its schema. */
export function botsOf<Bot extends BotBase>(
  channel: ChannelDefinition<Bot, unknown>,
  bots: readonly BotConfig[],
  registry: readonly AnyChannel[] = channelRegistry,
): Bot[] {
  return parseChannelBots(bots, registry).filter((b) => b.channel === channel.name) as Bot[];
}

/** One channel's settings, parsed from the environment snapshot libs/config took (`AppConfig.environment`). */
export function channelSettings<Settings>(
  channel: ChannelDefinition<BotBase, Settings> | AnyChannel,
  environment: Readonly<Record<string, string>>,
): Settings {
  const parsed = channel.settingsSchema.safeParse(environment);
  if (!parsed.success) throw new ConfigError(`invalid configuration (${channel.name}): ${issuesOf(parsed.error)}`);
  return parsed.data as Settings;
}

/** A channel with its bots and settings: what the gateway and the worker build each channel's side from. */
export interface ConfiguredChannel {
  definition: AnyChannel;
  bots: BotBase[];
  settings: unknown;
}

/**
 * Every channel of the registry, with its bots (possibly none: its routes still answer, with 404 for an
 * unknown bot) and its settings; throws a ConfigError for a bad bot or setting, so an app refuses to start.
 */
export function configureChannels(
  config: { bots: readonly BotConfig[]; environment: Readonly<Record<string, string>> },
  registry: readonly AnyChannel[] = channelRegistry,
): ConfiguredChannel[] {
  const bots = parseChannelBots(config.bots, registry);
  return registry.map((definition) => ({
    definition,
    bots: bots.filter((b) => b.channel === definition.name),
    settings: channelSettings(definition, config.environment),
  }));
}

/**
 * A reply target checked against its channel's `replyTargetSchema`: a target of an unknown channel, or one its
 * channel would not know where to send, is refused (not retried).
 */
export function validReplyTarget(target: ReplyTarget, registry: readonly AnyChannel[] = channelRegistry): ReplyTarget {
  const channel = channelNamed(target.channel, registry);
  if (!channel)
    throw new RejectedInputError(
      'CHANNEL.UNKNOWN',
      `unknown channel '${target.channel}' (known: ${names(registry)})`,
      400,
    );
  const parsed = channel.replyTargetSchema.safeParse(target);
  if (!parsed.success)
    throw new RejectedInputError(
      'CHANNEL.BAD_REPLY_TARGET',
      `reply target of ${channel.name}: ${issuesOf(parsed.error)}`,
      400,
    );
  return parsed.data as ReplyTarget;
}

/** The environment variables each channel reads (its settings schema's keys), for deploy files and their tests. */
export function channelSettingNames(registry: readonly AnyChannel[] = channelRegistry): string[] {
  return registry.flatMap((c) => (c.settingsSchema instanceof z.ZodObject ? Object.keys(c.settingsSchema.shape) : []));
}
