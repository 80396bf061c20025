export * from './inbound-message';
export * from './job-catalog';
export * from './errors';
export * from './ports';
export * from './escalation';
export * from './shared-token-cache';
export * from './in-memory-key-value-store';
