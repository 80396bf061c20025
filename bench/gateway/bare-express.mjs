// The baseline: express answering the same POST with an empty 200 after reading the body, nothing else.
import express, { text } from 'express';

const port = Number(process.argv[2] ?? 0);
const app = express();
app.disable('x-powered-by');
app.set('etag', false);
app.post('/wecom/:botId/callback', text({ type: () => true, limit: 65_536 }), (_req, res) => {
  res.status(200).end();
});
app.get('/healthz', (_req, res) => {
  res.json({ status: 'ok' });
});
app.listen(port, '127.0.0.1');
