/**
 * The moving parts of the Jepsen-style Raft test (raft-jepsen.test.ts):
 *
 * - `RaftCluster`: three `dinc-agent raft` members, one per namespace of a
 *   Lan, that can be killed (-9) and restarted on the same data directory,
 *   paused, cut off the bridge and reconnected; any exit the test did not
 *   cause is kept in `crashes`. They snapshot every 200 entries, so that a
 *   member back from a fault often catches up by a snapshot.
 * - `runClients`: concurrent clients that put, cas, delete and read
 *   (linearizable) five keys at a time (a fresh five every 30 s) through
 *   random members, and record a history for the linearizability checker,
 *   timed on the one monotonic clock of a client process in the switch
 *   namespace (test/support/timed-http.ts).
 * - `runNemesis`: one fault at a time, each held for 2-4 s: the leader or a
 *   random member cut off (a majority/minority split), the leader or a random
 *   member killed and later restarted, the leader paused (SIGSTOP, as in a
 *   long GC or VM stall) and let go on, or everything healed. A fault is
 *   undone (the member reconnected, or restarted and listening) before the
 *   next begins, so in every phase a majority is up and connected.
 *
 * How answers go into the history (the model is test/support/linearizability-kv.ts):
 * a result of the machine (200, 404 not found, 409 cas failed) is recorded
 * as it is; an answer that says the write was not applied (503, 507) or a
 * request that never reached a member (no connection) is left out, since an
 * operation without effect and without result is as if it never happened (if
 * the member lied, a read later sees a value nobody wrote and the check
 * fails); anything else (504, a connection that broke, the client's 6 s
 * timeout) is a write with an unknown outcome, which the checker lets take
 * effect at any time after its call, or never. A read without an answer
 * constrains nothing and is left out.
 *
 * Revisions are recorded as the members answer them, real Raft log indexes.
 * The model accepts those: it never assumes revisions are consecutive, only
 * that a key's successive writes have increasing revisions (log order is the
 * linearization order of writes), that a read returns the revision of the
 * last write, and that a cas holds exactly when the key is at that revision;
 * after a write with an unknown outcome it knows the revision only as "above
 * r" until the next answer pins it. So exact revisions are checked, and a cas
 * is guarded by a revision some client actually saw, which makes many of them
 * succeed.
 *
 * Each client gives an operation 1 s of patience: one still pending then is
 * left to finish on its own (its answer is still recorded when it comes) and
 * the client carries on, as Jepsen replaces a client whose operation is
 * indeterminate; otherwise requests stuck on a member that lost its leader
 * would leave no client free to show that the majority works.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { KvOperation, KvResult } from '../../src/core/state/kv-types.js';
import type { Rng } from '../../src/core/rng.js';
import type { Operation } from '../support/linearizability.js';
import { spawnAgentIn, type Host, type Lan, type NsProcess } from '../support/netns.js';
import { TimedHttp, monotonicMs, type TimedAnswer } from '../support/timed-http.js';

export const RAFT_PORT = 5001;
export type KvOp = Operation<KvOperation, KvResult>;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export interface ClusterView {
  node_id: string;
  current_leader: string | null;
  is_leader: boolean;
  term: number;
  commit_index: number;
  applied_index: number;
}

/** Three (or more) Raft members in the namespaces of one Lan. */
export class RaftCluster {
  readonly ids: string[];
  readonly client: TimedHttp;
  /** Exits the test did not cause: a crash of the agent. */
  readonly crashes: string[] = [];
  private readonly agents = new Map<string, NsProcess>();
  private readonly lives = new Map<string, NsProcess[]>();
  private readonly killedByUs = new Set<NsProcess>();

  constructor(
    readonly lan: Lan,
    private readonly dir: string,
  ) {
    this.ids = lan.hosts.map((h) => `n${h.index}`);
    this.client = new TimedHttp(lan.switchNs);
    const peers = lan.hosts.map((h) => `n${h.index}=${h.address}:${RAFT_PORT}`).join(', ');
    for (const h of lan.hosts) {
      const id = `n${h.index}`;
      mkdirSync(join(dir, id), { recursive: true });
      const lines = ['[cluster]', 'name = jepsen', '[agent]', `id = ${id}`, `bind_address = ${h.address}`, 'port = 7946', 'web = off'];
      lines.push(`data_dir = ${join(dir, id)}`, 'log_format = json', 'log_level = info', '[raft]', `listen = 0.0.0.0:${RAFT_PORT}`, `peers = ${peers}`);
      lines.push('snapshot_threshold = 200', '');
      writeFileSync(this.configFile(id), lines.join('\n'));
    }
  }

  host(id: string): Host {
    return this.lan.hosts[Number(id.slice(1)) - 1]!;
  }

  url(id: string, path: string): string {
    return `http://${this.host(id).address}:${RAFT_PORT}${path}`;
  }

  /** Member `id`'s API as the clients in the switch namespace reach it. */
  endpoint(id: string): Endpoint {
    return { name: id, http: this.client, base: this.url(id, '') };
  }

  /** Starts (or restarts, on the same data directory) member `id`; resolves once it listens. */
  async start(id: string): Promise<void> {
    const agent = spawnAgentIn(this.host(id), ['raft', '--config', this.configFile(id)]);
    this.agents.set(id, agent);
    this.lives.set(id, [...(this.lives.get(id) ?? []), agent]);
    void agent.exited.then((how) => {
      if (!this.killedByUs.has(agent)) this.crashes.push(`${id} exited by itself (${how}); its last stderr:\n${agent.stderr().slice(-3000)}`);
    });
    try {
      await agent.waitFor((r) => r.msg.startsWith('raft listening'), 20_000);
    } catch (e) {
      if (!this.killedByUs.has(agent)) throw e;
    }
  }

  async kill(id: string): Promise<void> {
    const agent = this.agents.get(id);
    if (agent === undefined) return;
    this.agents.delete(id);
    this.killedByUs.add(agent);
    await agent.kill('SIGKILL');
  }

  /** Stops member `id` (SIGSTOP) or lets it go on (SIGCONT): a long pause, as of a stalled process or VM. */
  pause(id: string, paused: boolean): void {
    this.agents.get(id)?.child.kill(paused ? 'SIGSTOP' : 'SIGCONT');
  }

  running(id: string): boolean {
    return this.agents.has(id);
  }

  /** `/cluster` of member `id` as the switch sees it, or undefined if it does not answer within 1 s. */
  async view(id: string): Promise<ClusterView | undefined> {
    try {
      return await this.lan.observer.json<ClusterView>(this.url(id, '/cluster'), 1000);
    } catch {
      return undefined;
    }
  }

  /** The member that says it leads in the highest term, among those that answer. */
  async leader(): Promise<string | undefined> {
    const views = await Promise.all(this.ids.map((id) => this.view(id)));
    return views.filter((v) => v?.is_leader).sort((a, b) => b!.term - a!.term)[0]?.node_id;
  }

  /** Resolves once every member answers and all name the same leader, which says it leads; returns the views. */
  async waitForAgreement(timeoutMs: number): Promise<ClusterView[]> {
    const until = monotonicMs() + timeoutMs;
    let last: (ClusterView | undefined)[] = [];
    while (monotonicMs() < until) {
      last = await Promise.all(this.ids.map((id) => this.view(id)));
      const leader = last[0]?.current_leader;
      if (leader && last.every((v) => v?.current_leader === leader) && last.some((v) => v?.node_id === leader && v.is_leader)) return last as ClusterView[];
      await sleep(200);
    }
    throw new Error(`the members did not agree on a leader within ${timeoutMs} ms: ${JSON.stringify(last)}`);
  }

  /** Reconnects every member, lets every paused one go on, and restarts every member that is not running. */
  async heal(): Promise<void> {
    for (const h of this.lan.hosts) h.reconnect();
    for (const id of this.ids) this.pause(id, false);
    await Promise.all(this.ids.filter((id) => !this.running(id)).map((id) => this.start(id)));
  }

  /** The last `n` log lines of every life of every member, oldest first. */
  logTail(n: number): string {
    const lines = [...this.lives].flatMap(([id, lives]) => lives.flatMap((a, life) => a.records.map((r) => `${String(r.time).slice(11, 23)} ${id}#${life} ${r.level} ${r.msg}`)));
    return lines.sort().slice(-n).join('\n  ');
  }

  destroy(): void {
    this.client.close();
    this.lan.destroy();
  }

  private configFile(id: string): string {
    return join(this.dir, `${id}.conf`);
  }
}

// ---- one operation over HTTP ---------------------------------------------------------------

export const CONNECT_TIMEOUT_MS = 300;
export const CLIENT_TIMEOUT_MS = 6000;

/** What an answer means for the history. */
export type Outcome =
  | { readonly kind: 'done'; readonly result: KvResult }
  | { readonly kind: 'not-applied'; readonly why: string }
  | { readonly kind: 'unknown'; readonly why: string }
  /** An answer the API does not give (also recorded as unknown): worth a look. */
  | { readonly kind: 'anomaly'; readonly why: string };

/** A member's API (`base`, e.g. http://10.254.7.1:5001) as some client process reaches it. */
export interface Endpoint {
  readonly name: string;
  readonly http: TimedHttp;
  readonly base: string;
}

/** Sends `op` to `to` (a get may be `stale`) and says what came of it, with its times on CLOCK_MONOTONIC. */
export async function perform(to: Endpoint, op: KvOperation, stale = false): Promise<{ outcome: Outcome; answer: TimedAnswer }> {
  const query = op.type !== 'get' && op.cas !== undefined ? `?cas=${op.cas}` : stale ? '?consistency=stale' : '';
  const path = `/v1/kv/${encodeURIComponent(op.key)}${query}`;
  const method = op.type === 'get' ? 'GET' : op.type === 'put' ? 'PUT' : 'DELETE';
  // The workload's values are strings, sent as the body's text.
  const body = op.type === 'put' ? (typeof op.value === 'string' ? op.value : JSON.stringify(op.value)) : undefined;
  const answer = await to.http.request({ method, url: `${to.base}${path}`, ...(body === undefined ? {} : { body }), connectTimeoutMs: CONNECT_TIMEOUT_MS, timeoutMs: CLIENT_TIMEOUT_MS });
  return { outcome: interpret(op, answer), answer };
}

function interpret(op: KvOperation, a: TimedAnswer): Outcome {
  if (a.status === undefined) return a.sent ? { kind: 'unknown', why: a.error ?? 'no answer' } : { kind: 'not-applied', why: `not sent: ${a.error}` };
  let body: { revision?: number; value?: string; error?: { code?: string; revision?: number } } = {};
  try {
    body = JSON.parse(a.body ?? '') as typeof body;
  } catch {
    return { kind: 'anomaly', why: `${a.status} with a body that is not JSON: ${a.body?.slice(0, 200)}` };
  }
  const code = body.error?.code;
  if (a.status === 200 && typeof body.revision === 'number') {
    return { kind: 'done', result: op.type === 'get' ? { ok: true, revision: body.revision, value: body.value ?? null } : { ok: true, revision: body.revision } };
  }
  if (a.status === 404 && code === 'DINC_KEY_NOT_FOUND' && op.type !== 'put') return { kind: 'done', result: { ok: false, revision: 0, error: 'not-found' } };
  if (a.status === 409 && code === 'DINC_CAS_FAILED' && typeof body.error?.revision === 'number') {
    return { kind: 'done', result: { ok: false, revision: body.error.revision, error: 'cas-failed' } };
  }
  if ((a.status === 503 && (code === 'DINC_NO_LEADER' || code === 'DINC_NOT_APPLIED')) || (a.status === 507 && code === 'DINC_STORAGE_FAILED')) return { kind: 'not-applied', why: `${a.status} ${code}` };
  if (a.status === 504 && code === 'DINC_TIMEOUT') return { kind: 'unknown', why: '504 DINC_TIMEOUT' };
  return { kind: 'anomaly', why: `${op.type} answered ${a.status}: ${a.body?.slice(0, 200)}` };
}

// ---- the clients ---------------------------------------------------------------------------

export interface Recorder {
  readonly history: KvOp[];
  /** Every answer (or failure) as it came: when (monotonicMs), what it meant, and why for all but results. */
  readonly answers: { readonly at: number; readonly kind: Outcome['kind']; readonly why?: string }[];
  readonly anomalies: string[];
  readonly tally: Record<Outcome['kind'], number>;
  readonly keys: Set<string>;
}

export function newRecorder(): Recorder {
  return { history: [], answers: [], anomalies: [], tally: { done: 0, 'not-applied': 0, unknown: 0, anomaly: 0 }, keys: new Set() };
}

/** Performs `op` through `to` and records it as `client`'s; returns the outcome. */
export async function recorded(rec: Recorder, client: string, to: Endpoint, op: KvOperation): Promise<Outcome> {
  rec.keys.add(op.key);
  const { outcome, answer } = await perform(to, op);
  rec.tally[outcome.kind]++;
  rec.answers.push({ at: answer.return, kind: outcome.kind, ...(outcome.kind === 'done' ? {} : { why: outcome.why }) });
  if (outcome.kind === 'done') {
    rec.history.push({ client, input: op, call: answer.call, output: outcome.result, return: answer.return });
  } else if (outcome.kind !== 'not-applied' && op.type !== 'get') {
    rec.history.push({ client, input: op, call: answer.call });
  }
  if (outcome.kind === 'anomaly') rec.anomalies.push(`${client} on ${to.name}: ${outcome.why}`);
  return outcome;
}

export interface Workload {
  readonly durationMs: number;
  readonly clients: number;
  /** Keys in use at a time; a fresh set every `generationMs`, so that each key's history stays short enough to check. */
  readonly keys: number;
  readonly generationMs: number;
  /** Pause between two operations of one client: up to this many ms. */
  readonly pauseMs: number;
  /** How long a client waits for an operation before it leaves it pending and goes on. */
  readonly patienceMs: number;
}

/** Runs the clients for `w.durationMs`, then waits for every operation still pending. */
export async function runClients(cluster: RaftCluster, rec: Recorder, w: Workload, rng: Rng): Promise<void> {
  const started = monotonicMs();
  const pending = new Set<Promise<unknown>>();
  /** The newest revision seen of each key, for cas. */
  const seen = new Map<string, number>();
  const learn = (op: KvOperation, o: Outcome): void => {
    if (o.kind !== 'done') return;
    const r = o.result;
    if (op.type === 'delete' && r.ok) seen.set(op.key, 0);
    else if (r.ok || r.error === 'cas-failed' || r.error === 'not-found') seen.set(op.key, r.revision);
  };
  const client = async (c: number): Promise<void> => {
    for (let n = 0; monotonicMs() - started < w.durationMs; n++) {
      const generation = Math.floor((monotonicMs() - started) / w.generationMs);
      const key = `g${generation}k${rng.int(w.keys)}`;
      const dice = rng.next();
      const op: KvOperation =
        dice < 0.45
          ? { type: 'get', key }
          : dice < 0.7
            ? { type: 'put', key, value: `c${c}.${n}` }
            : dice < 0.95
              ? { type: 'put', key, value: `c${c}.${n}`, cas: seen.get(key) ?? 0 }
              : { type: 'delete', key };
      const id = cluster.ids[rng.int(cluster.ids.length)]!;
      const done = recorded(rec, `c${c}`, cluster.endpoint(id), op).then((o) => learn(op, o));
      pending.add(done);
      void done.finally(() => pending.delete(done));
      await Promise.race([done, sleep(w.patienceMs)]);
      await sleep(rng.int(w.pauseMs + 1));
    }
  };
  await Promise.all(Array.from({ length: w.clients }, (_, c) => client(c + 1)));
  await Promise.all([...pending]);
}

// ---- the nemesis ---------------------------------------------------------------------------

export interface Phase {
  readonly name: string;
  /** monotonicMs() */
  readonly from: number;
  to: number;
}

type Fault = { readonly kind: 'cut' | 'killed' | 'paused'; readonly id: string };

/** Injects one fault at a time for `durationMs`, each for 2-4 s, into `phases`; heals everything at the end. */
export async function runNemesis(cluster: RaftCluster, durationMs: number, phases: Phase[], rng: Rng): Promise<void> {
  const started = monotonicMs();
  let fault: Fault | undefined;
  const pick = (ids: readonly string[]): string => ids[rng.int(ids.length)]!;
  for (;;) {
    // Undo the fault in place: reconnect the member, or restart it on its data directory.
    if (fault?.kind === 'cut') cluster.host(fault.id).reconnect();
    if (fault?.kind === 'paused') cluster.pause(fault.id, false);
    // The next fault waits until the member listens again: each phase then has two members up and on the bridge.
    if (fault?.kind === 'killed') await cluster.start(fault.id);
    fault = undefined;
    // No phase starts that the clients would not see for 2 s.
    if (monotonicMs() - started > durationMs - 2000) break;
    const action = pick(['cut the leader', 'cut a member', 'kill -9 the leader', 'kill -9 a member', 'pause the leader', 'heal']);
    const target = action.endsWith('leader') ? ((await cluster.leader()) ?? pick(cluster.ids)) : pick(cluster.ids);
    if (action.startsWith('cut')) {
      cluster.host(target).disconnect();
      fault = { kind: 'cut', id: target };
    } else if (action.startsWith('kill')) {
      await cluster.kill(target);
      fault = { kind: 'killed', id: target };
    } else if (action.startsWith('pause')) {
      cluster.pause(target, true);
      fault = { kind: 'paused', id: target };
    }
    const now = monotonicMs();
    const last = phases.at(-1);
    if (last) last.to = now;
    phases.push({ name: `${new Date().toISOString().slice(11, 23)} ${fault ? `${action} (${target})` : action}`, from: now, to: Infinity });
    await sleep(2000 + rng.int(2001));
  }
  await cluster.heal();
  const last = phases.at(-1);
  if (last) last.to = monotonicMs();
}
