// Baseline: Express 5 with the one route and no middleware, answering with res.json.
import express from 'express';

const body = JSON.parse(process.env.HEALTH_BODY ?? '{}');
const app = express();
app.get('/healthcheck', (_req, res) => {
  res.json(body);
});
app.listen(Number(process.env.PORT), '127.0.0.1');
