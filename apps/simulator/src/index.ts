export { bootstrap, type RunningSimulator } from './bootstrap';
export { WecomServerSimulator, type SentWecomMessage, type RobotMessage } from './wecom-server';
export { WecomCallbackClient, type WecomCallbackRequest, type CallbackResponse } from './wecom-callback-client';
export { DingTalkServerSimulator, type DingTalkSentMessage, type PushOptions } from './dingtalk-server';
export {
  WecomKfSimulator,
  KF_SIM_ERRCODES,
  type SimulatedKfAccount,
  type SentKfMessage,
  type KfSyncCall,
} from './wecom-kf-server';
export { WecomAibotSimulator, type AibotSimBot, type AibotBubble, type AibotSentMessage } from './wecom-aibot-server';
