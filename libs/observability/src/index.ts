export { createLogger, SECRET_FIELDS, type Logger, type LoggerOptions } from './logger';
export { createMetrics, type Metrics } from './metrics';
export { runUntilSignal, routeConsoleToLogger, listen, type Closable } from './run-until-signal';
export {
  initTracing,
  shutdownTracing,
  startSpan,
  carrierOf,
  inSpan,
  type TraceCarrier,
  type TracingOptions,
} from './tracing';
export type { Span } from '@opentelemetry/api';
