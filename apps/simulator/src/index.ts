export { bootstrap, type RunningSimulator } from './bootstrap';
export { WecomServerSimulator, type SentWecomMessage, type RobotMessage } from './wecom-server';
export { WecomCallbackClient, type WecomCallbackRequest, type CallbackResponse } from './wecom-callback-client';
export { DingtalkServerSimulator, type DingtalkSentMessage, type PushOptions } from './dingtalk-server';
