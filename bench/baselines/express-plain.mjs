// Baseline "as users write it": Express 5 with the one route and no middleware, answering with res.json
// and Express's defaults (an ETag computed for every answer, X-Powered-By). express-minimal.mjs turns those off.
import express from 'express';

const body = JSON.parse(process.env.HEALTH_BODY ?? '{}');
const app = express();
app.get('/healthcheck', (_req, res) => {
  res.json(body);
});
app.listen(Number(process.env.PORT), '127.0.0.1');
