export { EscalationService, type EscalationServiceDeps } from './escalation-service';
export { EscalationConflictError, EscalationNotFoundError, PersonWithAgentError } from './escalation-errors';
export { defaultEscalationMessages, type EscalationMessages } from './escalation-messages';
export {
  PersonalDataService,
  type PersonalDataErased,
  type PersonalDataServiceDeps,
  type RetentionApplied,
} from './personal-data-service';
export { startRetentionSweep, type RetentionSweepOptions } from './retention-sweep';
