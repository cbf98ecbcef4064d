// Baseline: node:http answering the service's health bytes, with nothing else.
import { createServer } from 'node:http';

const body = Buffer.from(process.env.HEALTH_BODY ?? '{}');
createServer((_req, res) => {
  res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': body.length });
  res.end(body);
}).listen(Number(process.env.PORT), '127.0.0.1');
