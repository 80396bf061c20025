import { listen, type Metrics } from '@answerbridge/observability';
import type { Server } from 'node:http';

export type WorkerReadiness = 'ready' | 'redis unavailable' | 'database unavailable' | 'consumers stopped';

/** The worker's only HTTP surface: /metrics, /healthz, and /readyz (503 unless `readiness` says ready). */
export function serveProbes(
  metrics: Metrics,
  readiness: () => Promise<WorkerReadiness>,
  host: string,
  port: number,
): Promise<{ server: Server; url: string }> {
  return listen(
    (req, res) => {
      if (req.url === '/metrics') {
        metrics.registry
          .metrics()
          .then((body) => res.writeHead(200, { 'content-type': metrics.registry.contentType }).end(body));
      } else if (req.url === '/healthz') {
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
      } else if (req.url === '/readyz') {
        void readiness().then((status) =>
          res
            .writeHead(status === 'ready' ? 200 : 503, { 'content-type': 'application/json' })
            .end(JSON.stringify({ status })),
        );
      } else res.writeHead(404).end();
    },
    host,
    port,
  );
}
