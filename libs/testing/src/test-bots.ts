import { wecomChannel, type WecomBotConfig } from '@answerbridge/channel-wecom';

/**
 * A WeCom bot with the official sample's Token, EncodingAESKey and CorpID (docs/protocols/wecom.md, V1),
 * so tests and benchmarks run on the published vectors' keys. No language, as a bots file most often has it.
 */
export function officialVectorBot(id: string, overrides: Partial<WecomBotConfig> = {}): WecomBotConfig {
  return {
    id,
    channel: wecomChannel.name as WecomBotConfig['channel'],
    corpId: 'ww1436e0e65a779aee',
    agentId: 1000002,
    token: 'hJqcu3uJ9Tn2gXPmxx2w9kkCkCE2EPYo',
    encodingAesKey: '6qkdMrq68nTKduznJYO1A37W2oEgpkMUvkttRToqhUt',
    secret: `secret-${id}`,
    ...overrides,
  };
}
