export { createLogger, SECRET_FIELDS, type Logger, type LoggerOptions } from './logger';
export { createMetrics, type Metrics } from './metrics';
export { runUntilSignal, type Closable } from './run-until-signal';
