// Promises: every process this harness starts is tracked, and all of them are
// killed (SIGKILL) and every registered temp dir removed when the runner exits,
// throws, or gets SIGINT/SIGTERM/SIGHUP. Also: free ports on 127.0.0.1 from a
// base, and the tail of a member's log for error messages.
import { spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { clearTimeout, setTimeout } from 'node:timers';

/** @type {Set<import('node:child_process').ChildProcess>} */
const running = new Set();
const tempDirs = [];

function cleanupSync() {
  for (const child of running) {
    try {
      child.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
  for (const dir of tempDirs.splice(0)) rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
}

process.on('exit', cleanupSync);
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(sig, () => {
    console.error(`\n${sig}: killing ${running.size} process(es), removing temp data`);
    process.exit(130); // runs cleanupSync through 'exit'
  });
}

/** A temp dir under `root` (default: the OS temp dir), removed at exit. */
export function tempDir(prefix, root = tmpdir()) {
  const dir = mkdtempSync(join(root, prefix));
  tempDirs.push(dir);
  return dir;
}

/**
 * Start a tracked process with stdout and stderr appended to logFile.
 * @returns {{ child: import('node:child_process').ChildProcess, exited: Promise<{ code: number | null, signal: string | null }>, logFile: string }}
 */
export function startLogged(cmd, args, { cwd, logFile }) {
  const fd = openSync(logFile, 'a');
  const child = spawn(cmd, args, { cwd, stdio: ['ignore', fd, fd] });
  closeSync(fd);
  running.add(child);
  const exited = new Promise((resolve) => {
    const done = (code, signal) => {
      running.delete(child);
      resolve({ code, signal });
    };
    child.once('exit', done);
    child.once('error', (err) => {
      console.error(`cannot start ${cmd}: ${err.message}`);
      done(null, null);
    });
  });
  return { child, exited, logFile };
}

/** Start a tracked process whose stdout is collected (stderr passes through); kill -9 after limitMs. */
export function runCollect(cmd, args, { cwd, limitMs }) {
  const child = spawn(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'inherit'] });
  running.add(child);
  let out = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (s) => (out += s));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), limitMs);
    child.once('error', reject);
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      running.delete(child);
      resolve({ code, signal, stdout: out });
    });
  });
}

/** kill -9 and wait until the process is gone. */
export async function killHard(proc) {
  if (proc.child.exitCode === null && proc.child.signalCode === null) proc.child.kill('SIGKILL');
  await proc.exited;
}

/** The last `lines` lines of a log file (for error messages). */
export function tail(file, lines = 15) {
  if (!existsSync(file)) return '(no log)';
  return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
}

const tcpFree = (port) =>
  new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(false));
    srv.listen({ port, host: '127.0.0.1', exclusive: true }, () => srv.close(() => resolve(true)));
  });

const udpFree = (port) =>
  new Promise((resolve) => {
    const sock = createSocket('udp4');
    sock.once('error', () => resolve(false));
    sock.bind({ port, address: '127.0.0.1', exclusive: true }, () => sock.close(() => resolve(true)));
  });

/** n ports on 127.0.0.1 free for TCP (and UDP with udp: true), the first ones at or above base. */
export async function freePorts(base, n, { udp = false } = {}) {
  const ports = [];
  for (let p = base; ports.length < n && p < base + 2000; p++) {
    if ((await tcpFree(p)) && (!udp || (await udpFree(p)))) ports.push(p);
  }
  if (ports.length < n) throw new Error(`found only ${ports.length} of ${n} free ports from ${base}`);
  return ports;
}
