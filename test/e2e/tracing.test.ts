import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initTracing } from '@answerbridge/observability';
import { startSystem, type SystemUnderTest } from '../support/system-under-test';

/** One trace from the platform callback to the reply sent, across the queue (context carried in job data). */
describe('tracing', () => {
  const exporter = new InMemorySpanExporter();
  const logLines: Record<string, unknown>[] = [];
  let sut: SystemUnderTest;
  beforeAll(async () => {
    initTracing({ serviceName: 'answerbridge-test', exporter });
    sut = await startSystem(
      { LOG_LEVEL: 'info' },
      undefined,
      (line) => void logLines.push(JSON.parse(line) as Record<string, unknown>),
    );
  });
  afterAll(async () => {
    await sut?.stop();
  });

  it('links callback, answer, search and send in one trace', async () => {
    await sut.simulator.wecomClient(sut.bot.id).sendText('traced', '年假有几天？');
    await sut.simulator.wecom.nextMessageTo('traced');
    await sut.idle();
    const spans = exporter.getFinishedSpans();
    const accept = spans.find(
      (s) => s.name === 'callback.accept' && String(s.attributes['answerbridge.message']).length > 0,
    );
    expect(accept).toBeDefined();
    const traceId = accept?.spanContext().traceId;
    const inTrace = spans.filter((s) => s.spanContext().traceId === traceId).map((s) => s.name);
    expect(inTrace).toEqual(expect.arrayContaining(['callback.accept', 'answer', 'search', 'reply.send']));
    const send = spans.find((s) => s.name === 'reply.send' && s.spanContext().traceId === traceId);
    const answer = spans.find((s) => s.name === 'answer' && s.spanContext().traceId === traceId);
    expect(send?.parentSpanContext?.spanId).toBe(answer?.spanContext().spanId);
    expect(answer?.parentSpanContext?.spanId).toBe(accept?.spanContext().spanId);
    expect(answer?.attributes['answerbridge.decision']).toBe('answer');
    // The log lines of this message carry the same trace, each with the span it was written in.
    const decided = logLines.find((l) => l['event'] === 'decision' && l['trace_id'] === traceId);
    const sent = logLines.find((l) => l['event'] === 'reply_sent' && l['trace_id'] === traceId);
    expect(decided?.['span_id']).toBe(answer?.spanContext().spanId);
    expect(sent?.['span_id']).toBe(send?.spanContext().spanId);
  });
});
