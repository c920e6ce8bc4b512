// Promises: the Markdown report of one run, built only from the result
// object (no I/O): one table per system, a dinc/etcd ratio table, how the
// numbers were taken, the commands, versions and the machine.

const fmtMs = (x) => (x === null || x === undefined ? '–' : x < 10 ? x.toFixed(2) : x < 100 ? x.toFixed(1) : x.toFixed(0));
const fmtNum = (x, digits = 0) => (x === null || x === undefined || !Number.isFinite(x) ? '–' : x.toFixed(digits));
const ratio = (a, b) => (a === null || a === undefined || !b ? '–' : `${(a / b).toFixed(2)}×`);
const row = (cells) => `| ${cells.join(' | ')} |`;

function loadRows(suite) {
  const rows = [];
  for (const [label, runs] of [['put', suite.put], ['linearizable get', suite.get]]) {
    for (const r of runs) {
      const hits = r.op === 'get' && r.ok > 0 ? `found ${fmtNum((100 * r.hits) / r.ok)}% of keys` : '';
      rows.push(row([label, r.clients, fmtNum(r.throughput), fmtMs(r.latencyMs.p50), fmtMs(r.latencyMs.p99), r.errors, `${fmtNum(r.loadgenCpuPct)}%`, hits]));
    }
  }
  return rows;
}

export function systemTable(res) {
  const out = [`### ${res.version}`, ''];
  if (res.error) out.push(`**Run failed:** ${res.error}`, '');
  if (res.suite) {
    out.push(row(['measure', 'clients', 'ops/s', 'p50 ms', 'p99 ms', 'errors', 'loadgen CPU', 'note']), row(['---', '---:', '---:', '---:', '---:', '---:', '---:', '---']));
    out.push(...loadRows(res.suite), '');
  }
  const extra = [];
  const f = res.suite?.fsync;
  if (f) {
    extra.push(row([`fsyncs per put (WAL, sum of 3 members, ${f.clients}-client put run)`, f.error ? `not measured: ${f.error}` : fmtNum(f.perPut, 3)]));
    for (const [k, v] of Object.entries(f.otherPerPut ?? {})) extra.push(row([`${k} per put (not counted as fsyncs above)`, fmtNum(v, 3)]));
  }
  const fo = res.failover;
  if (fo) {
    extra.push(row(['failover: kill -9 leader → first successful put, p50 ms', fmtMs(fo.p50)]));
    extra.push(row(['failover p99 ms', fmtMs(fo.p99)]));
    extra.push(row(['failover runs (of which no put within 20 s)', `${fo.runs} (${fo.timeouts})`]));
    extra.push(row(['restarts of the killed member after which the leader changed again', fo.disruptedRestarts]));
  }
  if (extra.length) out.push(row(['measure', 'value']), row(['---', '---:']), ...extra, '');
  return out.join('\n');
}

export function ratioTable(etcd, dinc) {
  if (!etcd?.suite && !dinc?.suite && !etcd?.failover && !dinc?.failover) return '';
  const out = ['### dinc-agent / etcd', '', row(['measure', 'clients', 'throughput', 'p50', 'p99']), row(['---', '---:', '---:', '---:', '---:'])];
  for (const op of ['put', 'get']) {
    for (const d of dinc?.suite?.[op] ?? []) {
      const e = etcd?.suite?.[op]?.find((x) => x.clients === d.clients);
      if (!e) continue;
      out.push(row([op === 'put' ? 'put' : 'linearizable get', d.clients, ratio(d.throughput, e.throughput), ratio(d.latencyMs.p50, e.latencyMs.p50), ratio(d.latencyMs.p99, e.latencyMs.p99)]));
    }
  }
  if (dinc?.suite?.fsync && etcd?.suite?.fsync) out.push(row(['fsyncs per put', dinc.suite.fsync.clients, ratio(dinc.suite.fsync.perPut, etcd.suite.fsync.perPut), '', '']));
  if (dinc?.failover && etcd?.failover) out.push(row(['failover time', '', '', ratio(dinc.failover.p50, etcd.failover.p50), ratio(dinc.failover.p99, etcd.failover.p99)]));
  out.push('', 'Throughput above 1× means dinc-agent does more; latency, failover and fsyncs below 1× mean dinc-agent takes less.', '');
  return out.join('\n');
}

export function notes(run) {
  const timing = Object.values(run.systems).map((s) => s.timing).filter(Boolean);
  return [
    '### How it was measured',
    '',
    `- Three members per system as separate processes on 127.0.0.1, fsync on (etcd's default; dinc-agent always fsyncs). The systems run one after the other, never at the same time.`,
    `- Load: a separate load-generator process (bench/raft/loadgen.mjs), closed loop, each client one request at a time over HTTP/1.1 keep-alive. Each client sends its requests round-robin over all three members (client c's n-th request to member (c + n) mod 3), so about two thirds of the puts reach a follower that forwards them to the leader.`,
    `- 256-byte values, keys bench-<client>-<n % 1000>. ${run.options.warmup} s warm-up, then ${run.options.seconds} s measured; requests completing inside the measured window count.`,
    `- Puts: etcd POST /v3/kv/put (JSON gateway, base64); dinc-agent PUT /v1/kv/<key> (raw body). Gets: etcd POST /v3/kv/range (linearizable by default); dinc-agent GET /v1/kv/<key> (linearizable by default). A get of a key not written yet is a successful read (etcd: 200 without kvs; dinc-agent: 404); the note column shows how many were found.`,
    `- fsyncs per put: the members' counters (etcd ${'`etcd_disk_wal_fsync_duration_seconds_count`'}, dinc-agent ${'`dinc_raft_wal_fsyncs_total`'}) summed over all three, before and after the largest put run, divided by the puts that run completed (warm-up included).`,
    `- Failover: kill -9 of the leader, then a put attempt every 10 ms round-robin over the two survivors (each attempt cut off after 1 s, not waited for before the next); the time from the kill to the first success. The killed member is restarted; before the next run all three must agree on a leader, be caught up, and that leader must keep its term for 1.5 s (a rejoining member that forces a new election does so outside the measurement; such restarts are counted). ${run.options.failovers} runs requested.`,
    `- Election timing: ${timing.join('; ') || '–'}. A follower waits at least its election timeout before it stands for election, so failover time cannot be shorter; read the failover rows with these settings in mind.`,
    `- loadgen CPU: the load generator's own CPU use (100% = one core). All members and the generator share the machine's ${run.machine.cpu.split(' x ')[0]} cores, so near 100% there the generator may be the limit, not the server.`,
    '',
  ].join('\n');
}

export function fullReport(run) {
  const out = [`## Raft key/value: dinc-agent vs etcd (${run.date})`, ''];
  for (const res of Object.values(run.systems)) out.push(systemTable(res));
  if (run.systems.etcd && run.systems.dinc) out.push(ratioTable(run.systems.etcd, run.systems.dinc));
  out.push(notes(run));
  out.push('### Commands', '', '```', run.commands.runner);
  for (const [system, cmds] of Object.entries(run.commands.members)) out.push(`# ${system} member 1 (members 2 and 3 alike)`, cmds);
  out.push(`# load generator (one process per measured point)`, run.commands.loadgen, '```', '');
  out.push('### Versions and machine', '');
  for (const res of Object.values(run.systems)) out.push(`- ${res.version}`);
  out.push(`- Node ${run.machine.node}`);
  out.push(`- ${run.machine.cpu}, ${run.machine.memoryGiB} GiB, ${run.machine.kernel}, load average at start ${run.machine.loadAverageAtStart}, at end ${run.machine.loadAverageAtEnd ?? '–'} (other work on the machine during the run skews the figures)`);
  out.push(`- member data under ${run.machine.dataDir}`, '');
  return out.join('\n');
}
