export { EscalationService, type EscalationServiceDeps } from './escalation-service';
export { EscalationConflictError, EscalationNotFoundError } from './escalation-errors';
export { defaultEscalationMessages, type EscalationMessages } from './escalation-messages';
