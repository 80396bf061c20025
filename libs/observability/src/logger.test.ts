import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { describe, expect, it } from 'vitest';
import { createLogger } from './logger';
import { initTracing, inSpan } from './tracing';

describe('createLogger', () => {
  const capture = () => {
    const lines: Record<string, unknown>[] = [];
    const logger = createLogger({
      name: 't',
      level: 'info',
      destination: { write: (line) => void lines.push(JSON.parse(line) as Record<string, unknown>) },
    });
    return { logger, lines };
  };

  it('stamps lines written under a span, across awaits, with its trace and span ids', async () => {
    initTracing({ serviceName: 'logger-test', exporter: new InMemorySpanExporter() });
    const { logger, lines } = capture();
    const ids = await inSpan('outer', undefined, async (outer) => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      logger.info('in outer');
      const innerSpanId = await inSpan('inner', outer, async (inner) => {
        await Promise.resolve();
        logger.info('in inner');
        return inner.spanContext().spanId;
      });
      return { traceId: outer.spanContext().traceId, outerSpanId: outer.spanContext().spanId, innerSpanId };
    });
    logger.info('after');
    expect(lines.map((l) => [l['msg'], l['trace_id'], l['span_id']])).toEqual([
      ['in outer', ids.traceId, ids.outerSpanId],
      ['in inner', ids.traceId, ids.innerSpanId],
      ['after', undefined, undefined],
    ]);
  });

  it('redacts secret fields at any depth we log', () => {
    const { logger, lines } = capture();
    logger.info(
      {
        secret: 's1',
        bot: { corpsecret: 's2', config: { encodingAesKey: 's3' } },
        ding: { clientSecret: 's4', sign: 's5' },
        target: { sessionWebhook: 's6' },
        fine: 'kept',
      },
      'x',
    );
    expect(JSON.stringify(lines)).not.toMatch(/s1|s2|s3|s4|s5|s6/);
    expect(lines[0]).toMatchObject({ fine: 'kept', secret: '[redacted]' });
  });
});
