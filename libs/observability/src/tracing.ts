import { context, isSpanContextValid, propagation, trace, type Context, type Span } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BasicTracerProvider,
  BatchSpanProcessor,
  SimpleSpanProcessor,
  type SpanExporter,
} from '@opentelemetry/sdk-trace-base';

/** W3C trace context carried in job payloads, so one trace runs from the platform callback to the reply. */
export type TraceCarrier = Record<string, string>;

let provider: BasicTracerProvider | null = null;
let contextManagerRegistered = false;

export interface TracingOptions {
  serviceName: string;
  /** OTLP/HTTP traces endpoint (…/v1/traces); without it (and without `exporter`) spans are not exported. */
  otlpEndpoint?: string;
  /** Tests pass an in-memory exporter. */
  exporter?: SpanExporter;
}

/**
 * Sets up tracing for the process once. Spans are always created (they cost little and carry the trace
 * id into logs and job payloads); they are exported only when an endpoint or exporter is configured.
 */
export function initTracing(options: TracingOptions): void {
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  // The active span follows the async work it started (AsyncLocalStorage), so a log line written anywhere
  // under a span carries its trace id without the span being passed down. Registered once per process;
  // a second registration is refused by the API and changes nothing.
  if (!contextManagerRegistered) {
    contextManagerRegistered = context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  }
  if (provider && !options.exporter) return;
  // An explicit exporter (tests) replaces whatever was registered before in this process, including by
  // another copy of this module (the OpenTelemetry globals outlive module instances).
  if (options.exporter) trace.disable();
  const processors = options.exporter
    ? [new SimpleSpanProcessor(options.exporter)]
    : options.otlpEndpoint
      ? [new BatchSpanProcessor(new OTLPTraceExporter({ url: options.otlpEndpoint }))]
      : [];
  provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': options.serviceName }),
    spanProcessors: processors,
  });
  trace.setGlobalTracerProvider(provider);
}

export async function shutdownTracing(): Promise<void> {
  await provider?.forceFlush();
}

const tracer = () => trace.getTracer('answerbridge');

/** Starts a span, as a child of the carried context when there is one. */
export function startSpan(
  name: string,
  parent?: TraceCarrier | Span,
  attributes: Record<string, string | number | boolean> = {},
): Span {
  let ctx: Context = context.active();
  if (parent && 'spanContext' in parent && typeof parent.spanContext === 'function')
    ctx = trace.setSpan(ctx, parent as Span);
  else if (parent) ctx = propagation.extract(ctx, parent as TraceCarrier);
  return tracer().startSpan(name, { attributes }, ctx);
}

/** The carrier to put into a job payload so the consumer's spans join this trace. */
export function carrierOf(span: Span): TraceCarrier {
  const carrier: TraceCarrier = {};
  propagation.inject(trace.setSpan(context.active(), span), carrier);
  return carrier;
}

/** Runs `fn` in a child span, as the active span, ending it (with the error recorded) however `fn` ends. */
export async function inSpan<T>(
  name: string,
  parent: TraceCarrier | Span | undefined,
  fn: (span: Span) => Promise<T>,
): Promise<T> {
  const span = startSpan(name, parent);
  try {
    return await context.with(trace.setSpan(context.active(), span), () => fn(span));
  } catch (error) {
    span.recordException(error as Error);
    span.setStatus({ code: 2, message: (error as Error).message });
    throw error;
  } finally {
    span.end();
  }
}

/** trace_id and span_id of the active span, for log lines; nothing outside a span. */
export function activeTraceFields(): { trace_id?: string; span_id?: string } {
  const spanContext = trace.getActiveSpan()?.spanContext();
  if (!spanContext || !isSpanContextValid(spanContext)) return {};
  return { trace_id: spanContext.traceId, span_id: spanContext.spanId };
}
