// SELF-TEST VARIANT — deliberately vulnerable, never imported, never built (see ../README.md).
// CodeQL must report js/command-line-injection: a query parameter flows into a shell command.
import { exec } from 'node:child_process';
import express from 'express';

const app = express();

app.get('/run', (req, res) => {
  exec(String(req.query.x), (err, stdout) => {
    res.send(err ? 'failed' : stdout);
  });
});

app.listen(5000, '127.0.0.1');
