// Baseline "minimal": Express 5 with the one route, answering the same body with res.json, with ETag
// and X-Powered-By off — the least an unhardened app does, and the peer the goals are measured against
// (issue 18). express-plain.mjs is the same app as users write it, with Express's defaults.
import express from 'express';

const body = JSON.parse(process.env.HEALTH_BODY ?? '{}');
const app = express();
app.disable('etag');
app.disable('x-powered-by');
app.get('/healthcheck', (_req, res) => {
  res.json(body);
});
app.listen(Number(process.env.PORT), '127.0.0.1');
