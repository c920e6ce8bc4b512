import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildConfig } from '../../src/config/load.js';
import { Agent } from '../../src/runtime/agent.js';
import { VERSION } from '../../src/version.js';
import { eventually } from '../support/eventually.js';
import { memoryLogger } from '../support/memory-log.js';
import { freePortBase } from '../support/ports.js';
import { hasTool } from '../support/prerequisite.js';

const havePromtool = hasTool('promtool', 'apt-get install prometheus');

interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
  /** The value as written. */
  readonly raw: string;
}

interface Exposition {
  readonly help: Map<string, string>;
  readonly type: Map<string, string>;
  readonly samples: Sample[];
}

/** A small reader of the Prometheus text format: HELP and TYPE lines, and samples `name{labels} value`. */
function parseExposition(text: string): Exposition {
  const out: Exposition = { help: new Map(), type: new Map(), samples: [] };
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const meta = /^# (HELP|TYPE) (\S+) (.*)$/.exec(line);
    if (meta) {
      out[meta[1] === 'HELP' ? 'help' : 'type'].set(meta[2] as string, meta[3] as string);
      continue;
    }
    const sample = /^(\S+?)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!sample) throw new Error(`not a sample line: ${line}`);
    const labels = Object.fromEntries([...(sample[2] ?? '').matchAll(/([^=,]+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1] as string, m[2] as string]));
    out.samples.push({ name: sample[1] as string, labels, value: Number(sample[3]), raw: sample[3] as string });
  }
  return out;
}

/** The family a sample belongs to: its own name, or, for histograms and summaries, its name without the series suffix. */
function familyOf(x: Exposition, name: string): string {
  if (x.type.has(name)) return name;
  const base = name.replace(/_(bucket|sum|count)$/, '');
  return ['histogram', 'summary'].includes(x.type.get(base) ?? '') ? base : name;
}

function values(x: Exposition, name: string): Sample[] {
  return x.samples.filter((s) => s.name === name);
}

function value(x: Exposition, name: string, labels: Record<string, string> = {}): number | undefined {
  return values(x, name).find((s) => Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;
}

const agents: Agent[] = [];
let base = '';

async function startAgent(id: string, port: number): Promise<Agent> {
  const dir = mkdtempSync(join(tmpdir(), 'dinc-metrics-'));
  const config = buildConfig({
    hostname: id,
    file: {
      path: `${id}.conf`,
      text: `[cluster]\nname = metrics\nmulticast_group = off\n[gossip]\nprofile = local\n[agent]\nid = ${id}\nbind_address = 127.0.0.1\nport = ${port}\nweb = 127.0.0.1:0\ndata_dir = ${dir}\n`,
    },
  });
  const agent = new Agent(config, { log: memoryLogger('warn').log, reloadConfig: () => Promise.resolve(config), monotonicMs: () => performance.now() });
  agents.push(agent);
  await agent.start();
  return agent;
}

async function scrape(): Promise<{ text: string; x: Exposition; contentType: string | null }> {
  const res = await fetch(`${base}/metrics`);
  expect(res.status).toBe(200);
  const text = await res.text();
  return { text, x: parseExposition(text), contentType: res.headers.get('content-type') };
}

beforeAll(async () => {
  const ports = await freePortBase(2);
  const first = await startAgent('node001', ports + 1);
  const second = await startAgent('node002', ports + 2);
  base = `http://127.0.0.1:${first.webAddress?.port}`;
  await second.membership.join([{ host: '127.0.0.1', port: ports + 1 }]);
  await eventually(async () => expect(value((await scrape()).x, 'dinc_members', { state: 'alive' })).toBe(2));
});
afterAll(() => Promise.all(agents.map((a) => a.stop())));

const DINC_FAMILIES = [
  'dinc_agent_info',
  'dinc_uptime_seconds',
  'dinc_members',
  'dinc_members_known',
  'dinc_is_leader',
  'dinc_leader_changes_total',
  'dinc_quorum_reached',
  'dinc_quorum_members_seen',
  'dinc_quorum_members_needed',
  'dinc_health_score',
  'dinc_probes_total',
  'dinc_indirect_probes_total',
  'dinc_suspicions_total',
  'dinc_refutes_total',
  'dinc_gossip_packets_total',
  'dinc_gossip_bytes_total',
  'dinc_gossip_messages_total',
  'dinc_gossip_dropped_total',
  'dinc_pushpull_exchanges_total',
  'dinc_pushpull_failures_total',
  'dinc_stream_clients_dropped_total',
];

describe('GET /metrics', () => {
  it('answers in the Prometheus text format', async () => {
    expect((await scrape()).contentType).toBe('text/plain; version=0.0.4; charset=utf-8');
  });

  it('every sample belongs to a family with HELP and TYPE; names follow the conventions; counters end in _total', async () => {
    const { x } = await scrape();
    expect(x.samples.length).toBeGreaterThan(50);
    for (const s of x.samples) {
      expect(s.name).toMatch(/^[a-zA-Z_:][a-zA-Z0-9_:]*$/);
      for (const label of Object.keys(s.labels)) expect(label).toMatch(/^[a-zA-Z_][a-zA-Z0-9_]*$/);
      // Prometheus reads values with Go's ParseFloat, which takes NaN and Inf in any case (prom-client writes `Nan`).
      expect(s.raw, s.name).toMatch(/^(?:[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:e[+-]?\d+)?|nan|[+-]inf)$/i);
      const family = familyOf(x, s.name);
      expect(x.help.get(family), `HELP of ${family}`).toBeTruthy();
      expect(x.type.get(family), `TYPE of ${family}`).toBeTruthy();
    }
    for (const [name, type] of x.type) if (type === 'counter') expect(name).toMatch(/_total$/);
    for (const name of x.type.keys()) expect(name.startsWith('dinc_') || /^(process|nodejs)_/.test(name), name).toBe(true);
  });

  it('has every dinc family, and Node and process metrics with the event-loop lag', async () => {
    const { x } = await scrape();
    for (const name of DINC_FAMILIES) expect(x.type.has(name), name).toBe(true);
    for (const name of ['nodejs_eventloop_lag_seconds', 'process_cpu_user_seconds_total', 'process_resident_memory_bytes']) expect(x.type.has(name), name).toBe(true);
  });

  it('shows the cluster as this agent sees it: two alive, itself leader with a quorum', async () => {
    const { x } = await scrape();
    expect(values(x, 'dinc_agent_info')).toEqual([expect.objectContaining({ labels: { id: 'node001', version: VERSION, cluster: 'metrics' }, value: 1 })]);
    expect(Object.fromEntries(values(x, 'dinc_members').map((s) => [s.labels.state, s.value]))).toEqual({ alive: 2, suspect: 0, dead: 0, left: 0 });
    expect(value(x, 'dinc_members_known')).toBe(2);
    expect(value(x, 'dinc_is_leader')).toBe(1);
    expect(value(x, 'dinc_quorum_reached')).toBe(1);
    expect(value(x, 'dinc_quorum_members_seen')).toBeGreaterThanOrEqual(value(x, 'dinc_quorum_members_needed') ?? Infinity);
    expect(value(x, 'dinc_health_score')).toBe(0);
    expect(value(x, 'dinc_uptime_seconds')).toBeGreaterThan(0);
    expect(values(x, 'dinc_stream_clients_dropped_total').map((s) => s.labels.stream).sort()).toEqual(['monitor', 'status']);
  });

  it('counts gossip traffic by direction and channel, and messages by type, with bounded labels', async () => {
    const { x } = await scrape();
    const packets = values(x, 'dinc_gossip_packets_total');
    expect(packets.map((s) => `${s.labels.direction}/${s.labels.channel}`).sort()).toEqual(['in/multicast', 'in/tcp', 'in/udp', 'out/multicast', 'out/tcp', 'out/udp']);
    expect(value(x, 'dinc_gossip_packets_total', { direction: 'in', channel: 'tcp' })).toBeGreaterThan(0);
    expect(value(x, 'dinc_gossip_bytes_total', { direction: 'in', channel: 'tcp' })).toBeGreaterThan(0);
    expect(value(x, 'dinc_gossip_messages_total', { direction: 'in', type: 'push_pull' })).toBeGreaterThan(0);
    const labelValues = x.samples.filter((s) => s.name.startsWith('dinc_') && s.name !== 'dinc_agent_info').flatMap((s) => Object.values(s.labels));
    expect(labelValues).not.toContain('node002');
  });

  it('counters never go back between scrapes', async () => {
    const before = (await scrape()).x;
    await eventually(async () => expect(value((await scrape()).x, 'dinc_probes_total')).toBeGreaterThan(value(before, 'dinc_probes_total') ?? 0));
    const after = (await scrape()).x;
    for (const s of before.samples) {
      if (!s.name.startsWith('dinc_') || before.type.get(s.name) !== 'counter') continue;
      expect(value(after, s.name, s.labels), `${s.name} ${JSON.stringify(s.labels)}`).toBeGreaterThanOrEqual(s.value);
    }
  });

  it.runIf(havePromtool)('promtool check metrics finds no problem in a real scrape, lint included', async () => {
    const { text } = await scrape();
    const check = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
    expect(`${check.stdout}${check.stderr}`).toBe('');
    expect(check.status).toBe(0);
  });

  it("Node's active handles, requests and resources are gauges without the counters' _total suffix", async () => {
    const { x } = await scrape();
    for (const name of ['handles', 'requests', 'resources']) {
      expect(x.type.get(`nodejs_active_${name}`), name).toBe('gauge');
      expect(x.type.has(`nodejs_active_${name}_total`), name).toBe(false);
    }
  });
});
