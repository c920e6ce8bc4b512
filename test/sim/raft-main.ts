/**
 * The entry of `npm run sim -- raft ...` (scripts/sim.mjs bundles and runs
 * it; arguments in raft-cli.ts). A range of seeds runs on worker threads and
 * ends with one summary line; any violation prints its seed and the command
 * that replays it, and the exit code is 1. `--seed S` replays one seed and
 * prints its trace as it happens.
 */
import { availableParallelism } from 'node:os';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { USAGE, parseSimArgs, replayCommand, summaryLine, type SimArgs } from './raft-cli.js';
import { runRaftSim, seedRun, type RaftRunOptions, type RaftRunResult } from './raft-run.js';

/** Seeds handed to a worker at a time. */
const CHUNK = 8;

type ToWorker = { readonly seeds: readonly number[] } | { readonly stop: true };

function runOptions(seed: number, args: SimArgs): RaftRunOptions {
  return seedRun(seed, {
    ...(args.servers === undefined ? {} : { servers: args.servers }),
    ...(args.chaosMs === undefined ? {} : { chaosMs: args.chaosMs }),
    ...(args.plantedBug ? { raft: { unsafeCommitPreviousTerm: true } } : {}),
  });
}

/** Runs the seeds on `workers` threads, handing out chunks as threads free up. */
async function runRange(args: SimArgs): Promise<RaftRunResult[]> {
  const seeds = Array.from({ length: args.seeds }, (_, i) => args.startSeed + i);
  const results: RaftRunResult[] = [];
  const count = Math.min(args.workers ?? Math.min(2, availableParallelism()), Math.max(1, Math.ceil(seeds.length / CHUNK)));
  let next = 0;
  const one = (): Promise<void> =>
    new Promise((resolve, reject) => {
      const worker = new Worker(new URL(import.meta.url), { workerData: args });
      const feed = (): void => {
        const chunk = seeds.slice(next, next + CHUNK);
        next += chunk.length;
        const message: ToWorker = chunk.length > 0 ? { seeds: chunk } : { stop: true };
        worker.postMessage(message);
      };
      worker.on('message', (done: RaftRunResult[]) => {
        results.push(...done);
        feed();
      });
      worker.on('error', reject);
      worker.on('exit', () => resolve());
      feed();
    });
  await Promise.all(Array.from({ length: count }, one));
  return results.sort((a, b) => a.seed - b.seed);
}

async function replay(seed: number, args: SimArgs): Promise<number> {
  const result = await runRaftSim({ ...runOptions(seed, args), trace: 'print' });
  if (result.violation !== undefined) console.log(`seed=${seed}: ${result.violation}`);
  console.log(`${summaryLine([result])}; trace ${result.traceHash}`);
  return result.violation === undefined ? 0 : 1;
}

async function main(): Promise<number> {
  let args: SimArgs;
  try {
    args = parseSimArgs(process.argv.slice(2));
  } catch (error) {
    console.error(`${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  if (args.replay !== undefined) return replay(args.replay, args);
  const results = await runRange(args);
  const failed = results.filter((r) => r.violation !== undefined);
  for (const r of failed) console.log(`seed=${r.seed}: ${r.violation}\n  replay: ${replayCommand(r.seed, args)}`);
  console.log(summaryLine(results));
  return failed.length > 0 ? 1 : 0;
}

/** A worker: runs the seeds it is sent and answers with their results, until told to stop. */
function serve(): void {
  const args = workerData as SimArgs;
  const port = parentPort;
  port?.on('message', (message: ToWorker) => {
    if ('stop' in message) {
      port.close();
      return;
    }
    void (async () => {
      const results: RaftRunResult[] = [];
      for (const seed of message.seeds) results.push(await runRaftSim(runOptions(seed, args)));
      port.postMessage(results);
    })();
  });
}

if (isMainThread) process.exitCode = await main();
else serve();
