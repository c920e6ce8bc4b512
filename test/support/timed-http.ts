/**
 * HTTP requests timed on one monotonic clock, for histories that a
 * linearizability checker reads: a small Node process inside a namespace
 * performs each request the test asks for and reports, with the answer, the
 * time just before it started the request and the time just after it knew
 * the outcome. An interval reported this way contains the request's real
 * interval, so the real-time order the checker relies on is never inverted.
 *
 * The clock is the machine's CLOCK_MONOTONIC (`process.hrtime`), which every
 * process reads alike (network namespaces do not change it): times from
 * several such processes, in different namespaces, and `monotonicMs()` in
 * the test process, are on one timeline.
 *
 * Each request gets a connection of its own (no keep-alive, no retries:
 * node:http never resends), so `sent` says exactly whether the request can
 * have reached the server: false when the connection was refused, or not
 * made within `connectTimeoutMs` (then nothing was sent and nothing can have
 * been applied); true once connected, after which a failure or
 * `timeoutMs` leaves the outcome unknown.
 *
 * The process exits when its stdin closes; `close` kills it; a Lan's destroy
 * kills it too, with everything else in the namespace.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

const SCRIPT = `
import { request } from 'node:http';
import { createInterface } from 'node:readline';
const now = () => Number(process.hrtime.bigint()) / 1e6;
const out = (o) => process.stdout.write(JSON.stringify(o) + '\\n');
createInterface({ input: process.stdin })
  .on('line', (line) => {
    const { id, method, url, body, connectTimeoutMs, timeoutMs } = JSON.parse(line);
    let sent = false;
    let done = false;
    let connectTimer;
    let timer;
    const call = now();
    const finish = (o) => {
      if (done) return;
      done = true;
      const ret = now();
      clearTimeout(connectTimer);
      clearTimeout(timer);
      out({ id, call, return: ret, sent, ...o });
    };
    const headers = body === undefined ? {} : { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(body) };
    const req = request(url, { method, agent: false, headers }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => finish({ status: res.statusCode, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', (e) => finish({ error: String(e.code ?? e.message) }));
    });
    req.on('socket', (socket) => socket.once('connect', () => { sent = true; }));
    req.on('error', (e) => finish({ error: String(e.code ?? e.message) }));
    connectTimer = setTimeout(() => { if (!sent) { finish({ error: 'connect-timeout' }); req.destroy(); } }, connectTimeoutMs);
    timer = setTimeout(() => { finish({ error: 'timeout' }); req.destroy(); }, timeoutMs);
    req.end(body);
  })
  .on('close', () => process.exit(0));
`;

/** ms of CLOCK_MONOTONIC, the clock of every TimedAnswer. */
export function monotonicMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}

export interface TimedRequest {
  readonly method: 'GET' | 'PUT' | 'DELETE';
  readonly url: string;
  /** Sent as text/plain. */
  readonly body?: string;
  /** Give up on a connection not made by then (nothing sent). */
  readonly connectTimeoutMs: number;
  /** Give up on the whole request by then (the outcome is unknown if it was sent). */
  readonly timeoutMs: number;
}

export interface TimedAnswer {
  /** ms of CLOCK_MONOTONIC (`monotonicMs`), just before the request started. */
  readonly call: number;
  /** ms on the same clock, just after the answer or the failure was known. */
  readonly return: number;
  /** Whether a connection was made, i.e. whether the server can have received the request. */
  readonly sent: boolean;
  /** The HTTP status and body, when an answer came. */
  readonly status?: number;
  readonly body?: string;
  /** Why no answer came: an errno code, 'connect-timeout' or 'timeout'. */
  readonly error?: string;
}

/** Performs HTTP requests from inside namespace `ns`, timing each on the process's clock. */
export class TimedHttp {
  private readonly child: ChildProcess;
  private readonly pending = new Map<number, { resolve: (a: TimedAnswer) => void; reject: (e: Error) => void }>();
  private next = 0;

  constructor(ns: string) {
    this.child = spawn('ip', ['netns', 'exec', ns, process.execPath, '--input-type=module', '-e', SCRIPT], { stdio: ['pipe', 'pipe', 'inherit'] });
    createInterface({ input: this.child.stdout! }).on('line', (line) => {
      const a = JSON.parse(line) as TimedAnswer & { id: number };
      const p = this.pending.get(a.id);
      this.pending.delete(a.id);
      p?.resolve(a);
    });
    this.child.on('exit', () => {
      for (const p of this.pending.values()) p.reject(new Error('the timed HTTP client process ended'));
      this.pending.clear();
    });
  }

  request(r: TimedRequest): Promise<TimedAnswer> {
    const id = this.next++;
    return new Promise((resolve, reject) => {
      if (this.child.exitCode !== null || this.child.signalCode !== null) {
        reject(new Error('the timed HTTP client process has ended'));
        return;
      }
      this.pending.set(id, { resolve, reject });
      this.child.stdin!.write(`${JSON.stringify({ id, ...r })}\n`);
    });
  }

  close(): void {
    this.child.stdin?.end();
    this.child.kill('SIGKILL');
  }
}
