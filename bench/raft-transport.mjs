// Raft message transport on loopback: length-prefixed frames over one TCP
// connection per direction (src/runtime/raft/transport.ts) against HTTP/1.1
// keep-alive, one POST per batch of the same encoded bytes, up to 64 requests
// in flight (Node's client does not pipeline on one socket, so that is up to
// 64 keep-alive sockets). A leader process sends appends of 256-byte entries
// to a follower process, which answers each with an append-resp over its own
// channel. Measured: (a) messages/s with a window of in-flight appends, 1 and
// 16 entries per message; (b) round-trip latency of one append → append-resp.
// TCP and HTTP runs alternate, ROUNDS times, and the table shows the median
// of the rounds, so that a burst of load on the machine does not decide it.
// Prints a Markdown table; never passes or fails; stops by itself within 60 s.
// Usage: npx tsc -p tsconfig.build.json && node bench/raft-transport.mjs
import { Buffer } from 'node:buffer';
import { fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { Agent, createServer as createHttpServer, request } from 'node:http';
import { createServer as createTcpServer } from 'node:net';
import { performance } from 'node:perf_hooks';
import { clearTimeout, setImmediate, setTimeout } from 'node:timers';
import { decodeRaftMessages, encodeRaftMessages } from '../lib/core/raft/codec.js';
import { Logger } from '../lib/ops/log.js';
import { RAFT_MAGIC, RaftTransport } from '../lib/runtime/raft/transport.js';

const HOST = '127.0.0.1';
const ENTRY_BYTES = 256;
/** Appends in flight in the throughput runs. */
const WINDOW = 1024;
/** The window starts as this many turns of WINDOW / TURNS appends each, as a leader's proposals would. */
const TURNS = 16;
const ROUNDS = 3;
const WARMUP_MS = 300;
const RUN_MS = 1500;
const PINGS = 1500;
const PING_WARMUP = 200;
const HTTP_IN_FLIGHT = 64;
const HTTP_BATCH_MAX = 4096;
const DEADLINE_MS = 55_000;

const silent = Logger.create({ write: () => undefined }, { level: 'error', format: 'json', color: false });
const listen = (server) => new Promise((resolve) => server.listen(0, HOST, () => resolve(server.address().port)));

/** A channel of either kind: send(messages), and a handler for what arrives. */
class TcpChannel {
  constructor(id, peerId) {
    this.onMessages = () => undefined;
    this.peerPort = 0;
    this.transport = new RaftTransport({
      id,
      secret: null,
      resolve: (peer) => (peer === peerId ? { host: HOST, port: this.peerPort } : undefined),
      onMessages: (ms) => this.onMessages(ms),
      log: silent,
    });
    this.server = createTcpServer((socket) => {
      let head = Buffer.alloc(0);
      const sniff = (chunk) => {
        head = Buffer.concat([head, chunk]);
        if (head.length < RAFT_MAGIC.length) return;
        socket.off('data', sniff);
        socket.pause();
        if (head.subarray(0, RAFT_MAGIC.length).equals(Buffer.from(RAFT_MAGIC))) this.transport.accept(socket, head);
        else socket.destroy();
      };
      socket.on('data', sniff);
    });
  }
  send(messages) {
    this.transport.send(messages);
  }
  async close() {
    await this.transport.close();
    await new Promise((resolve) => this.server.close(() => resolve()));
  }
}

class HttpChannel {
  constructor() {
    this.onMessages = () => undefined;
    this.peerPort = 0;
    this.queue = [];
    this.inFlight = 0;
    this.scheduled = false;
    this.agent = new Agent({ keepAlive: true, maxSockets: HTTP_IN_FLIGHT });
    this.server = createHttpServer((req, res) => {
      const chunks = [];
      req.on('data', (c) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks);
        // As the TCP transport does: a plain Uint8Array, so the decoded entries are copies, not views pinning the body.
        const decoded = decodeRaftMessages(new Uint8Array(body.buffer, body.byteOffset, body.length));
        res.writeHead(decoded.ok ? 204 : 400).end();
        if (decoded.ok) this.onMessages(decoded.value);
      });
    });
  }
  send(messages) {
    for (const m of messages) this.queue.push(m);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => {
        this.scheduled = false;
        this.flush();
      });
    }
  }
  flush() {
    while (this.queue.length > 0 && this.inFlight < HTTP_IN_FLIGHT) {
      const body = encodeRaftMessages(this.queue.splice(0, HTTP_BATCH_MAX));
      this.inFlight++;
      const req = request(
        { agent: this.agent, host: HOST, port: this.peerPort, method: 'POST', path: '/raft', headers: { 'content-type': 'application/octet-stream', 'content-length': body.length } },
        (res) => {
          res.resume();
          res.on('end', () => {
            this.inFlight--;
            this.flush();
          });
        },
      );
      req.on('error', () => this.inFlight--);
      req.end(body);
    }
  }
  async close() {
    this.agent.destroy();
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(() => resolve()));
  }
}

async function channels(id, peerId) {
  const tcp = new TcpChannel(id, peerId);
  const http = new HttpChannel();
  return { tcp, http, ports: { tcp: await listen(tcp.server), http: await listen(http.server) } };
}

// ---------------------------------------------------------------- follower (child process)

async function follower() {
  const { tcp, http, ports } = await channels('follower', 'leader');
  for (const ch of [tcp, http]) {
    ch.onMessages = (ms) => {
      const out = [];
      for (const m of ms) {
        if (m.type !== 'append') continue;
        const index = m.prevIndex + m.entries.length;
        out.push({ from: 'follower', to: 'leader', term: m.term, type: 'append-resp', reject: false, index, hintIndex: index, hintTerm: m.term });
      }
      if (out.length > 0) ch.send(out);
    };
  }
  process.on('message', (msg) => {
    if (msg.peer) {
      tcp.peerPort = msg.peer.tcp;
      http.peerPort = msg.peer.http;
      process.send({ wired: true });
    } else if (msg === 'exit') {
      void Promise.all([tcp.close(), http.close()]).then(() => process.disconnect());
    }
  });
  process.send({ ports });
}

// ---------------------------------------------------------------- leader (this process)

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const entriesOf = (n) => {
  const data = new Uint8Array(randomBytes(ENTRY_BYTES));
  return Array.from({ length: n }, (_, i) => ({ term: 1, index: i + 1, kind: 'normal', data }));
};

/** Appends per second with WINDOW in flight: each response lets one more append go. */
async function throughput(ch, entryCount) {
  const entries = entriesOf(entryCount);
  let next = 0;
  let outstanding = 0;
  let done = 0;
  let counting = false;
  let running = true;
  const append = () => {
    outstanding++;
    return { from: 'leader', to: 'follower', term: 1, type: 'append', prevIndex: next++, prevTerm: 1, commit: 0, entries };
  };
  ch.onMessages = (ms) => {
    outstanding -= ms.length;
    if (counting) done += ms.length;
    if (running) ch.send(ms.map(append));
  };
  for (let i = 0; i < TURNS; i++) {
    ch.send(Array.from({ length: WINDOW / TURNS }, append));
    await new Promise((r) => setImmediate(r));
  }
  await sleep(WARMUP_MS);
  counting = true;
  const t0 = performance.now();
  await sleep(RUN_MS);
  counting = false;
  running = false;
  const rate = done / ((performance.now() - t0) / 1000);
  for (let i = 0; i < 100 && outstanding > 0; i++) await sleep(20); // let the window drain before the next run
  return rate;
}

/** Round trips of one append and its response, one at a time; p50 and p99 in µs. */
async function latency(ch) {
  const entries = entriesOf(1);
  const samples = [];
  let answered = () => undefined;
  ch.onMessages = () => answered();
  for (let i = 0; i < PINGS + PING_WARMUP; i++) {
    const t0 = performance.now();
    const got = new Promise((resolve) => (answered = resolve));
    ch.send([{ from: 'leader', to: 'follower', term: 1, type: 'append', prevIndex: i, prevTerm: 1, commit: 0, entries }]);
    await got;
    if (i >= PING_WARMUP) samples.push((performance.now() - t0) * 1000);
  }
  samples.sort((a, b) => a - b);
  const at = (q) => samples[Math.min(samples.length - 1, Math.floor(samples.length * q))];
  return { p50: at(0.5), p99: at(0.99) };
}

async function leader() {
  const child = fork(import.meta.filename, ['follower'], { stdio: 'inherit' });
  const deadline = setTimeout(() => {
    console.error(`raft-transport bench: not done within ${DEADLINE_MS} ms; giving up`);
    child.kill('SIGKILL');
    process.exit(1);
  }, DEADLINE_MS);
  const fromChild = (key) => new Promise((resolve) => child.on('message', (m) => m[key] && resolve(m)));
  const [{ tcp, http, ports }, theirs] = await Promise.all([channels('leader', 'follower'), fromChild('ports')]);
  tcp.peerPort = theirs.ports.tcp;
  http.peerPort = theirs.ports.http;
  const wired = fromChild('wired');
  child.send({ peer: ports });
  await wired;

  const runs = { tcp: [], http: [] };
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, ch] of [['tcp', tcp], ['http', http]]) {
      runs[name].push({ one: await throughput(ch, 1), sixteen: await throughput(ch, 16), rtt: await latency(ch) });
    }
    process.stderr.write(`round ${round + 1}/${ROUNDS} done\n`);
  }
  const median = (values) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)];
  const summary = (rs) => ({
    one: median(rs.map((r) => r.one)),
    sixteen: median(rs.map((r) => r.sixteen)),
    rtt: { p50: median(rs.map((r) => r.rtt.p50)), p99: median(rs.map((r) => r.rtt.p99)) },
  });
  const results = { tcp: summary(runs.tcp), http: summary(runs.http) };
  const tcpStats = tcp.transport.stats().follower;

  child.send('exit');
  await new Promise((resolve) => child.on('exit', resolve));
  await Promise.all([tcp.close(), http.close()]);
  clearTimeout(deadline);

  const n = (v) => Math.round(v).toLocaleString('en-US');
  const mb = (msgs, entries) => ((msgs * entries * ENTRY_BYTES) / 1e6).toFixed(0);
  const ratio = (a, b) => (a / b).toFixed(2);
  const { tcp: t, http: h } = results;
  console.log(
    `\nRaft transport on loopback (Node ${process.version}, leader and follower in two processes, ${ENTRY_BYTES}-byte entries, ` +
      `window ${WINDOW} appends, HTTP up to ${HTTP_IN_FLIGHT} requests in flight; median of ${ROUNDS} alternating rounds)\n`,
  );
  console.log('| measure | TCP frames | HTTP/1.1 keep-alive | TCP/HTTP |');
  console.log('|---|---:|---:|---:|');
  console.log(`| throughput, 1 entry/append (appends/s) | ${n(t.one)} | ${n(h.one)} | ${ratio(t.one, h.one)} |`);
  console.log(`| throughput, 16 entries/append (appends/s) | ${n(t.sixteen)} | ${n(h.sixteen)} | ${ratio(t.sixteen, h.sixteen)} |`);
  console.log(`| entry data, 16 entries/append (MB/s) | ${mb(t.sixteen, 16)} | ${mb(h.sixteen, 16)} | ${ratio(t.sixteen, h.sixteen)} |`);
  console.log(`| round trip p50 (µs) | ${n(t.rtt.p50)} | ${n(h.rtt.p50)} | ${ratio(t.rtt.p50, h.rtt.p50)} |`);
  console.log(`| round trip p99 (µs) | ${n(t.rtt.p99)} | ${n(h.rtt.p99)} | ${ratio(t.rtt.p99, h.rtt.p99)} |`);
  console.log(`\nTCP leader→follower, all runs: ${tcpStats.framesSent.toLocaleString('en-US')} frames for ${tcpStats.messagesSent.toLocaleString('en-US')} appends.`);
  console.log('Ratios above 1 favour TCP for throughput; below 1 favour TCP for latency.');
}

if (process.argv[2] === 'follower') await follower();
else await leader();
