// `npm run rehearse -- --prove-plants`: every plant of plants.mjs, one at a time, must make the rehearsal
// fail, and fail for its planted reason. Each plant runs the rehearsal (run.mjs, a child process) with
// that plant alone and only the events where it bites (`only`), then its `bites` are checked against the
// child's REHEARSAL_RESULT:
//   - checks: each names a check that must fail;
//   - steps:  the steps act reported failed, exactly ("<run>: <job>: <step>"; none for a plant shown by a
//             check after the run): a plant that also breaks another step does not show its own defect;
//   - output: what the rehearsal's output must say (the message of the planted failure).
// A rehearsal that could not run (a tool missing, podman not answering, an error of its own, a plant that
// no longer applies) is an outage: it fails the proof, as a plant that does not bite does.
// `--plant NAME` (repeatable) proves only those. Ends with one line per plant and "N passed, N failed".
import { spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PLANTS } from './plants.mjs';

const RUN = join(import.meta.dirname, 'run.mjs');
// The checks that say the rehearsal itself could run: one failing is an outage, not the plant biting.
const HARNESS = [
  /^the real tools are installed/,
  /^the tools are at security\/tools\.json's pins/,
  /^podman answers/,
  /^the rehearsal ran without an error of its own/,
];
// No rehearsal of one event takes this long here (docs/rehearsal.md, Figures): a hung act is an outage.
const TIMEOUT_MS = 40 * 60 * 1000;

/** Runs the rehearsal with one plant; resolves to its exit status, output and REHEARSAL_RESULT. */
function rehearseWith(plant, logs) {
  const resultFile = join(logs, `${plant.name}.json`);
  const logFile = join(logs, `${plant.name}.log`);
  const log = createWriteStream(logFile);
  const child = spawn(process.execPath, [RUN, '--plant', plant.name, '--only', plant.only], {
    env: { ...process.env, REHEARSAL_RESULT: resultFile },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const timer = setTimeout(() => child.kill('SIGTERM'), TIMEOUT_MS);
  let output = '';
  const onData = (chunk) => {
    output += chunk;
    log.write(chunk);
  };
  child.stdout.setEncoding('utf8').on('data', onData);
  child.stderr.setEncoding('utf8').on('data', onData);
  const started = Date.now();
  return new Promise((resolve) => {
    child.on('close', (status, signal) => {
      clearTimeout(timer);
      log.end();
      const result = existsSync(resultFile) ? JSON.parse(readFileSync(resultFile, 'utf8')) : undefined;
      resolve({ status, signal, output, result, logFile, seconds: (Date.now() - started) / 1000 });
    });
  });
}

/** Whether a plant's run failed for its planted reason: { ok, outage, problems, shown }. */
export function judge(plant, { status, signal, output, result }) {
  if (!result)
    return {
      ok: false,
      outage: true,
      problems: [`the rehearsal left no result (exit ${status ?? signal})`],
    };
  const failed = result.checks.filter((c) => !c.ok).map((c) => c.name);
  const harness = failed.filter((name) => HARNESS.some((pattern) => pattern.test(name)));
  if (harness.length > 0)
    return { ok: false, outage: true, problems: harness.map((name) => `outage: ${name}`) };
  if (status === 0 && failed.length === 0)
    return { ok: false, problems: ['did not bite: the rehearsal passed with it planted'] };
  const problems = [];
  for (const pattern of plant.bites.checks ?? [])
    if (!failed.some((name) => pattern.test(name))) problems.push(`no failed check matches ${pattern}`);
  const wanted = [...(plant.bites.steps ?? [])].sort();
  const steps = [...new Set(result.failedSteps)].sort();
  if (JSON.stringify(steps) !== JSON.stringify(wanted))
    problems.push(
      `failed steps: ${steps.join('; ') || 'none'}; the plant's own: ${wanted.join('; ') || 'none'}`,
    );
  for (const pattern of plant.bites.output ?? [])
    if (!pattern.test(output)) problems.push(`the output never says ${pattern}`);
  if (status === 0) problems.push('the rehearsal exited 0');
  return { ok: problems.length === 0, problems, shown: failed };
}

export async function provePlants({ tally, check, names }) {
  const plants = names.length > 0 ? PLANTS.filter((plant) => names.includes(plant.name)) : PLANTS;
  const unknown = names.filter((name) => !PLANTS.some((plant) => plant.name === name));
  if (unknown.length > 0) {
    check(`the plants named exist (${unknown.join(', ')} unknown)`, false);
    return undefined;
  }
  const logs = mkdtempSync(join(tmpdir(), 'rehearsal-plants-'));
  tally.log(`each plant's rehearsal log and result: ${logs}`);
  const outcomes = [];
  for (const plant of plants) {
    console.log(`\n== plant ${plant.name} (--only ${plant.only}): ${plant.description}`);
    const run = await rehearseWith(plant, logs);
    const verdict = judge(plant, run);
    // The child's own failed checks and its act timings, indented: its tally line is not this one's.
    let detail = false;
    for (const line of run.output.split('\n')) {
      detail = line.startsWith('FAIL ') || (detail && line.startsWith('     '));
      if (detail || line.startsWith('  · act ')) console.log(`    ${line}`);
    }
    console.log(
      `   ${verdict.ok ? 'bites' : 'NOT PROVEN'} in ${run.seconds.toFixed(0)} s (log: ${run.logFile})`,
    );
    outcomes.push({ plant, run, verdict });
  }
  console.log('\n== plants');
  for (const { plant, run, verdict } of outcomes)
    check(
      `plant ${plant.name} (${plant.only}, ${run.seconds.toFixed(0)} s): ${plant.expect}`,
      verdict.ok,
      verdict.problems.join('\n'),
    );
  const total = outcomes.reduce((sum, { run }) => sum + run.seconds, 0);
  tally.log(`plants wall time: ${total.toFixed(0)} s`);
  if (outcomes.every(({ verdict }) => verdict.ok) && process.env.REHEARSAL_KEEP !== '1')
    rmSync(logs, { recursive: true, force: true });
  return undefined;
}
