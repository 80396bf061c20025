/** What the asker is told at each step of a handover (configurable; Chinese defaults). */
export interface EscalationMessages {
  /** When an agent claims the conversation; {agent} is replaced by the agent's display name. */
  agentJoined: string;
  /** When the escalation waited longer than the notify delay; {minutes} is the expected wait. */
  stillWaiting: string;
  resolved: string;
  handedBack: string;
  /** A note in the conversation's history for agents: {from} and {to} are agents' names. */
  transferred: string;
  /** What the asker is told when another agent takes over: {agent} is the new agent's name. */
  transferredToAsker: string;
}

export const defaultEscalationMessages: EscalationMessages = {
  agentJoined: '客服 {agent} 已接入，请直接在这里描述您的问题。',
  stillWaiting: '目前咨询较多，客服将在约 {minutes} 分钟内回复您，请稍候。',
  resolved: '本次人工服务已结束，感谢您的耐心。如有其他问题，可以继续问我。',
  handedBack: '已为您转回智能助手，有问题可以继续问我。',
  transferred: '会话已由 {from} 转给 {to}',
  transferredToAsker: '已为您转接给客服 {agent}，请继续在这里描述您的问题。',
};
