import { RejectedInputError, type KeyValueStore } from '@answerbridge/core';

/** Slack for replicas whose clocks differ a little: a pair is remembered this much past its last valid moment. */
const CLOCK_SLACK_MS = 60_000;
/**
 * Two genuine messages to one bot can carry the same millisecond, and so the same sign. While a pair is
 * this fresh it may carry up to MESSAGES_PER_FRESH_PAIR messages; past it, only the one it first came with.
 * Refusing the second genuine message would lose it; a captured pair replayed with another body within
 * seconds needs an attacker on the path, who could as well rewrite the original.
 */
const FRESH_PAIR_MS = 10_000;
const MESSAGES_PER_FRESH_PAIR = 4;

/**
 * Binds each HTTP-mode (timestamp, sign) pair to the message it first came with (a few, while the pair is
 * seconds old), in the store every gateway replica shares (Redis).
 *
 * DingTalk signs only `timestamp + "\n" + appSecret`: one captured pair is a valid signature for any
 * body until the timestamp leaves the skew window. Remembering the msgId the pair came with turns that
 * into a signature for one message: the same msgId again is a redelivery (left to the normal dedupe);
 * another msgId under the same pair is a forged body and refused.
 *
 * The key is the bot and the timestamp alone: the signature has been verified before this is asked,
 * and for one bot the sign is a function of the timestamp, so the timestamp names the pair, and no
 * signature (a credential for an hour) is written to Redis.
 */
export class SignatureLedger {
  constructor(
    private readonly store: KeyValueStore,
    private readonly maxSkewSeconds: number,
  ) {}

  /**
   * Records that this verified pair came with `msgId`; throws DINGTALK.SIGN_REUSED (401) when it already
   * came with another message (with MESSAGES_PER_FRESH_PAIR others, while it is fresh). Remembered until
   * the pair could no longer pass the skew check anyway.
   */
  async claim(botId: string, timestamp: string, msgId: string, nowMs: number): Promise<'first' | 'redelivery'> {
    const key = `dingtalk-sign:${botId}:${timestamp}`;
    const validUntil = Number(timestamp) + this.maxSkewSeconds * 1000;
    const ttlMs = Math.max(validUntil - nowMs, 0) + CLOCK_SLACK_MS;
    const claimable = nowMs - Number(timestamp) <= FRESH_PAIR_MS ? MESSAGES_PER_FRESH_PAIR : 1;
    // Slots fill in order, so the messages a pair came with are found by reading them in order. Each slot is
    // tried twice, because it can expire between the two calls when the pair is at the edge of its window.
    for (let slot = 0; slot < MESSAGES_PER_FRESH_PAIR; slot++) {
      const slotKey = slot === 0 ? key : `${key}:${slot}`;
      for (let attempt = 0; attempt < 2; attempt++) {
        const holder = await this.store.get(slotKey);
        if (holder === msgId) return 'redelivery';
        if (holder !== null) break;
        if (slot >= claimable) return this.refuse();
        if (await this.store.setIfAbsent(slotKey, msgId, ttlMs)) return 'first';
      }
    }
    return this.refuse();
  }

  private refuse(): never {
    throw new RejectedInputError(
      'DINGTALK.SIGN_REUSED',
      'this timestamp and sign already came with another message: a signature is accepted only with the message it first came with, because it does not cover the body',
      401,
    );
  }
}
