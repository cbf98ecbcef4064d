// `npm run rehearse -- --prove-plants`: every plant of plants.mjs must make the rehearsal fail, and fail
// for its planted reason. The rehearsal (run.mjs, a child process) runs with only the events where a plant
// bites (`only`); plants of one event that name no common failing step or check pattern share one run
// (planRuns: sbom-path and half-published-silent both fail at the release step, so each has its own; the
// three push-to-main plants share one). Each plant's `bites` are then checked against the child's
// REHEARSAL_RESULT:
//   - checks: each names a check that must fail;
//   - steps:  the steps act reported failed are exactly the run's plants' own ("<run>: <job>: <step>";
//             none for a plant shown by a check after the run): a plant that also breaks another step
//             does not show its own defect;
//   - output: what the rehearsal's output must say (the message of the planted failure, each plant's own,
//             so that in a shared run each plant is seen to bite, not only the run to fail).
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

/** Runs the rehearsal with the plants of one run; resolves to its exit status, output and REHEARSAL_RESULT. */
function rehearseWith(plants, logs) {
  const name = plants.map((plant) => plant.name).join('+');
  const resultFile = join(logs, `${name}.json`);
  const logFile = join(logs, `${name}.log`);
  const log = createWriteStream(logFile);
  const args = [RUN, ...plants.flatMap((plant) => ['--plant', plant.name]), '--only', plants[0].only];
  const child = spawn(process.execPath, args, {
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

/**
 * @typedef {{ name: string, only: string, bites: { checks?: RegExp[], steps?: string[], output?: RegExp[] } }} Plant
 * @typedef {{ ok: boolean, outage?: boolean, problems: string[], shown?: string[] }} Verdict
 */

/** @param {Plant} plant */
const patterns = (plant) => [...(plant.bites.checks ?? []), ...(plant.bites.output ?? [])].map(String);

/** Whether two plants may share a run: one event, and no failing step or check pattern in common (a
 *  plant that names another's step, as half-published-silent names sbom-path's, would hide it).
 *  @param {Plant} one @param {Plant} other */
function canShare(one, other) {
  if (one.only !== other.only) return false;
  const steps = new Set(one.bites.steps ?? []);
  const named = new Set(patterns(one));
  return (
    !(other.bites.steps ?? []).some((step) => steps.has(step)) && !patterns(other).some((p) => named.has(p))
  );
}

/** The runs that prove the plants: each plant joins the first run it can share with every plant of, in
 *  the order of plants.mjs; a plant that can share with none has a run of its own. */
/**
 * @template {Plant} P
 * @param {P[]} plants
 * @returns {P[][]}
 */
export function planRuns(plants) {
  /** @type {P[][]} */
  const runs = [];
  for (const plant of plants) {
    const run = runs.find((candidate) => candidate.every((other) => canShare(other, plant)));
    if (run) run.push(plant);
    else runs.push([plant]);
  }
  return runs;
}

/**
 * Whether one run with these plants failed for each plant's planted reason: one verdict per plant,
 * { ok, outage, problems, shown }. Each plant's checks must have failed and its message be in the
 * output; the steps act reported failed must be exactly the union of the plants' own.
 *
 * @param {Plant[]} plants
 * @param {{ status: number | null, signal: string | null, output: string, result?: any }} run
 * @returns {Verdict[]}
 */
export function judgeRun(plants, { status, signal, output, result }) {
  const every = (verdict) => plants.map(() => verdict);
  if (!result)
    return every({
      ok: false,
      outage: true,
      problems: [`the rehearsal left no result (exit ${status ?? signal})`],
    });
  const failed = result.checks.filter((c) => !c.ok).map((c) => c.name);
  const harness = failed.filter((name) => HARNESS.some((pattern) => pattern.test(name)));
  if (harness.length > 0)
    return every({ ok: false, outage: true, problems: harness.map((name) => `outage: ${name}`) });
  if (status === 0 && failed.length === 0)
    return every({ ok: false, problems: ['did not bite: the rehearsal passed with it planted'] });
  const shared = [];
  const wanted = [...new Set(plants.flatMap((plant) => plant.bites.steps ?? []))].sort();
  const steps = [...new Set(result.failedSteps)].sort();
  if (JSON.stringify(steps) !== JSON.stringify(wanted))
    shared.push(
      `failed steps: ${steps.join('; ') || 'none'}; the plants' own: ${wanted.join('; ') || 'none'}`,
    );
  if (status === 0) shared.push('the rehearsal exited 0');
  return plants.map((plant) => {
    const problems = [];
    for (const pattern of plant.bites.checks ?? [])
      if (!failed.some((name) => pattern.test(name))) problems.push(`no failed check matches ${pattern}`);
    for (const pattern of plant.bites.output ?? [])
      if (!pattern.test(output)) problems.push(`the output never says ${pattern}`);
    problems.push(...shared);
    return { ok: problems.length === 0, problems, shown: failed };
  });
}

/** Whether a run with this plant alone failed for its planted reason. */
/** @type {(plant: Plant, run: Parameters<typeof judgeRun>[1]) => Verdict} */
export const judge = (plant, run) => {
  const [verdict] = judgeRun([plant], run);
  if (!verdict) throw new Error('judgeRun gives one verdict per plant');
  return verdict;
};

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
  const runs = planRuns(plants);
  for (const group of runs) {
    const names = group.map((plant) => plant.name).join(', ');
    console.log(`\n== plants ${names} (--only ${group[0].only}), one run:`);
    for (const plant of group) console.log(`   ${plant.name}: ${plant.description}`);
    const run = await rehearseWith(group, logs);
    const verdicts = judgeRun(group, run);
    // The child's own failed checks and its act timings, indented: its tally line is not this one's.
    let detail = false;
    for (const line of run.output.split('\n')) {
      detail = line.startsWith('FAIL ') || (detail && line.startsWith('     '));
      if (detail || line.startsWith('  · act ')) console.log(`    ${line}`);
    }
    const proven = verdicts.every((verdict) => verdict.ok);
    console.log(`   ${proven ? 'bites' : 'NOT PROVEN'} in ${run.seconds.toFixed(0)} s (log: ${run.logFile})`);
    group.forEach((plant, index) => outcomes.push({ plant, group, run, verdict: verdicts[index] }));
  }
  console.log(`\n== plants (${plants.length} in ${runs.length} runs)`);
  for (const { plant, group, run, verdict } of outcomes) {
    const others = group.filter((other) => other !== plant).map((other) => other.name);
    const shared = others.length > 0 ? `, run shared with ${others.join(', ')}` : '';
    check(
      `plant ${plant.name} (${plant.only}, ${run.seconds.toFixed(0)} s${shared}): ${plant.expect}`,
      verdict.ok,
      verdict.problems.join('\n'),
    );
  }
  const total = [...new Set(outcomes.map(({ run }) => run))].reduce((sum, run) => sum + run.seconds, 0);
  tally.log(`plants wall time: ${total.toFixed(0)} s`);
  if (outcomes.every(({ verdict }) => verdict.ok) && process.env.REHEARSAL_KEEP !== '1')
    rmSync(logs, { recursive: true, force: true });
  return undefined;
}
