/**
 * Real networks for tests: Linux network namespaces joined by a bridge, so
 * that agents talk over real interfaces (multicast included), can be killed,
 * cut off and made to lose packets. Needs root and iproute2 (`ip`, `tc`).
 *
 * Topology of one `Lan` (every object lives in namespaces this module
 * creates; nothing is added to the host's own network namespace):
 *
 *     ns <prefix>-sw  ("switch"):  bridge br0, address <subnet>.254/24 (the observer)
 *        ports p1..pN ──veth── eth0 in ns <prefix>-h1..hN, address <subnet>.1..N/24
 *
 * Each host namespace has `lo` up, its eth0 up with its address, and a route
 * `224.0.0.0/4 dev eth0`: a namespace has no default route, and without a
 * route for the group an agent that binds 0.0.0.0 could not join or send to
 * it. Interface names are the same in every Lan (eth0, p1, br0): they live
 * in private namespaces and cannot clash. Namespace names, which are global
 * to the machine, carry a per-run prefix `dinc<pid>-` (`RUN_PREFIX`), so
 * parallel runs never clash, and `reapStaleNamespaces` recognises the ones a
 * dead run left behind (their pid no longer exists) and removes them. The
 * subnet (10.254.X.0/24) exists only inside these namespaces.
 *
 * How the test process (root namespace) reaches the agents' HTTP APIs: the
 * bridge itself has an address (<subnet>.254) in the switch namespace, and a
 * small Node process there, the `Observer`, performs requests for the test:
 * one JSON line in on its stdin per request, one JSON line out per answer.
 * This keeps the host's network untouched (no veth into the root namespace,
 * no route to the test subnet on the host), costs no process start per
 * request (unlike `ip netns exec NS curl` per poll), and lets agents listen
 * exactly as on real hosts (`web = 0.0.0.0:8080` on every one). The observer
 * exits by itself when its stdin closes, so it never outlives the test. A
 * host cut off the bridge is still reachable through `observerIn(host)`, the
 * same kind of process inside the host's own namespace (its 127.0.0.1).
 *
 * Packet loss: `tc qdisc ... netem` needs sch_netem, which some kernels lack
 * (the kernel of this project's machines, CI's included, is built without
 * CONFIG_NET_SCH_NETEM and loads no modules). `setLoss`
 * therefore uses what such kernels do have, and falls back to netem only if
 * that fails: a clsact qdisc on the host's eth0 with a classic-BPF filter
 * that picks packets at random (the `ld rand` extension) and an action that
 * redirects them to a veth pair with no address (`sink0`/`sink1`), where
 * they die. The filter spares packets to the observer, so polling does not
 * disturb what is measured. Loss is on egress: a round trip between two
 * lossy hosts crosses two such filters.
 *
 * Partitions: `disconnect` sets the switch-side port down, which takes the
 * host's carrier away while its own interface, address and routes stay as
 * they are; `reconnect` brings it back.
 *
 * Cleanup: `Lan.destroy` (idempotent, synchronous) kills every process
 * inside the Lan's namespaces (`ip netns pids`) and deletes them, which
 * removes their veths and bridge. Every live Lan is also destroyed on
 * `process.on('exit')` and on SIGINT, SIGTERM and SIGHUP, a safety net for a
 * test that fails or a run that is interrupted; a run killed outright
 * (SIGKILL) leaves namespaces behind, and the next `Lan.create` of any run
 * reaps them (with the agents still inside).
 */
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { BIN } from './agent-process.js';
import { watchLogs, type LogWatch } from './log-watch.js';
import { removeNamespace } from './remove-namespace.mjs';

/** Prefix of every namespace this process creates. */
export const RUN_PREFIX = `dinc${process.pid}`;
const STALE = /^dinc(\d+)-/;

const NEEDS = 'Linux network-namespace tests need root and iproute2 (`ip`, `tc`): run them as root, with `apt-get install iproute2`';

/**
 * Whether namespace tests can run here: Linux, root, `ip`, and creating a
 * namespace works. Otherwise warns and returns false, or throws under
 * CI=true, where a missing prerequisite is a failure.
 */
export function netnsPrerequisites(): boolean {
  const missing: string[] = [];
  if (process.platform !== 'linux') missing.push(`this is ${process.platform}, not Linux`);
  else if (process.getuid?.() !== 0) missing.push('not running as root');
  else if (spawnSync('sh', ['-c', 'command -v ip && command -v tc']).status !== 0) missing.push('`ip` or `tc` is not installed');
  else {
    const probe = `${RUN_PREFIX}-probe`;
    const made = spawnSync('ip', ['netns', 'add', probe], { encoding: 'utf8' });
    if (made.status !== 0) missing.push(`\`ip netns add\` fails: ${made.stderr.trim()}`);
    else spawnSync('ip', ['netns', 'del', probe]);
  }
  if (missing.length === 0) return true;
  const message = `${NEEDS} (${missing.join('; ')})`;
  if (process.env.CI === 'true') throw new Error(`CI needs this: ${message}`);
  console.warn(`skipping: ${message}`);
  return false;
}

/** Runs a command and returns its stdout; throws with the command and its stderr when it fails. */
export function run(file: string, args: readonly string[]): string {
  try {
    return execFileSync(file, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 20_000 });
  } catch (e) {
    const err = e as { stderr?: string; message: string };
    throw new Error(`${file} ${args.join(' ')} failed: ${err.stderr?.trim() || err.message}`);
  }
}

/** `ip netns list` names. */
function namespaces(): string[] {
  return run('ip', ['netns', 'list'])
    .split('\n')
    .map((l) => l.split(' ')[0] ?? '')
    .filter((n) => n !== '');
}

/** Kills every process inside namespace `ns` (all of them started by this module) and deletes it; never throws. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Removes namespaces that a run which no longer exists left behind (`dinc<pid>-...` with a dead pid); returns their names. */
export function reapStaleNamespaces(): string[] {
  const stale = namespaces().filter((ns) => {
    const pid = Number(STALE.exec(ns)?.[1] ?? NaN);
    return Number.isInteger(pid) && pid !== process.pid && !alive(pid);
  });
  for (const ns of stale) removeNamespace(ns);
  return stale;
}

// ---- processes inside a namespace ----------------------------------------------------

/** A process started in a namespace; its stderr is parsed as JSON log lines as they arrive. */
export interface NsProcess extends LogWatch {
  readonly child: ChildProcess;
  readonly ns: string;
  /** Sends a signal (SIGKILL unless told) and resolves once the process has ended. */
  kill(signal?: NodeJS.Signals): Promise<number | string>;
}

/**
 * Runs `command args` inside `ns` through `ip netns exec`, which execs the
 * command, so the child's pid is the command's own and signals reach it.
 */
export function spawnIn(ns: string, command: string, args: readonly string[], env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' }): NsProcess {
  const child = spawn('ip', ['netns', 'exec', ns, command, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.resume();
  const logs = watchLogs(child, ` in ${ns}`);
  return {
    child,
    ns,
    ...logs,
    kill(signal = 'SIGKILL') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return logs.exited;
    },
  };
}

/** `node bin/dinc-agent ARGS` inside the host's namespace (build lib/ first). */
export function spawnAgentIn(host: Host, args: readonly string[]): NsProcess {
  return spawnIn(host.ns, process.execPath, [BIN, ...args]);
}

// ---- the observer: HTTP requests from inside the switch namespace -------------------------

const OBSERVER_SCRIPT = `
import { createInterface } from 'node:readline';
const out = (o) => process.stdout.write(JSON.stringify(o) + '\\n');
createInterface({ input: process.stdin })
  .on('line', async (line) => {
    const { id, url, method, timeoutMs } = JSON.parse(line);
    try {
      const res = await fetch(url, { method, signal: AbortSignal.timeout(timeoutMs) });
      out({ id, status: res.status, body: await res.text() });
    } catch (e) {
      out({ id, error: String(e?.cause?.code ?? e?.name ?? e) });
    }
  })
  .on('close', () => process.exit(0));
`;

export interface ObserverAnswer {
  readonly status: number;
  readonly body: string;
}

/** Performs HTTP requests from the switch namespace on behalf of the test process. */
export class Observer {
  private readonly child: ChildProcess;
  private readonly pending = new Map<number, { resolve: (a: ObserverAnswer) => void; reject: (e: Error) => void }>();
  private next = 0;

  constructor(ns: string) {
    this.child = spawn('ip', ['netns', 'exec', ns, process.execPath, '--input-type=module', '-e', OBSERVER_SCRIPT], { stdio: ['pipe', 'pipe', 'inherit'] });
    createInterface({ input: this.child.stdout! }).on('line', (line) => {
      const a = JSON.parse(line) as { id: number; status?: number; body?: string; error?: string };
      const p = this.pending.get(a.id);
      this.pending.delete(a.id);
      if (a.error !== undefined) p?.reject(new Error(a.error));
      else p?.resolve({ status: a.status ?? 0, body: a.body ?? '' });
    });
    this.child.on('exit', () => {
      for (const p of this.pending.values()) p.reject(new Error('the observer process ended'));
      this.pending.clear();
    });
  }

  request(url: string, opts: { method?: string; timeoutMs?: number } = {}): Promise<ObserverAnswer> {
    const id = this.next++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.child.stdin!.write(`${JSON.stringify({ id, url, method: opts.method ?? 'GET', timeoutMs: opts.timeoutMs ?? 5000 })}\n`);
    });
  }

  /** GET `url` and parse the answer as JSON; rejects unless the status is 2xx. */
  async json<T>(url: string, timeoutMs = 5000): Promise<T> {
    const a = await this.request(url, { timeoutMs });
    if (a.status < 200 || a.status > 299) throw new Error(`${url} answered ${a.status}: ${a.body.slice(0, 200)}`);
    return JSON.parse(a.body) as T;
  }

  close(): void {
    this.child.stdin?.end();
    this.child.kill('SIGKILL');
  }
}

// ---- hosts and the Lan ----------------------------------------------------------------

/** Classic BPF (tc `bpf bytecode`): match a random `percent` of packets, except IPv4 packets to `spare`. */
export function lossBytecode(percent: number, spare: string): string {
  const threshold = Math.min(0xffffffff, Math.round((percent / 100) * 0x100000000));
  const ip = spare.split('.').reduce((n, octet) => n * 256 + Number(octet), 0);
  const program = [
    [0x28, 0, 0, 12], // ldh [12]: the EtherType
    [0x15, 0, 2, 0x0800], // IPv4? go on : to the dice
    [0x20, 0, 0, 30], // ld [30]: IPv4 destination
    [0x15, 3, 0, ip], // to the spared address? no match : the dice
    [0x20, 0, 0, 0xfffff038], // ld rand (SKF_AD_OFF + SKF_AD_RANDOM)
    [0x25, 1, 0, threshold], // above the threshold? no match : match
    [0x06, 0, 0, 0xffffffff], // match: the action takes the packet
    [0x06, 0, 0, 0], // no match: sent as usual
  ];
  return `${program.length},${program.map((i) => i.join(' ')).join(',')}`;
}

/** One namespace on the Lan, with its eth0 on the bridge. */
export class Host {
  readonly iface = 'eth0';
  private lossMethod: 'bpf' | 'netem' | null = null;

  constructor(
    readonly lan: Lan,
    /** 1-based; the host's address ends in it and its switch port is p<index>. */
    readonly index: number,
    readonly ns: string,
    readonly address: string,
  ) {}

  /** Runs a command inside the namespace, synchronously; returns its stdout. */
  exec(command: string, args: readonly string[]): string {
    return run('ip', ['netns', 'exec', this.ns, command, ...args]);
  }

  /** Drops a random `percent` of the packets this host sends (traffic to the observer is spared). */
  setLoss(percent: number): void {
    this.clearLoss();
    try {
      if (!this.hasSink()) {
        run('ip', ['-n', this.ns, 'link', 'add', 'sink0', 'type', 'veth', 'peer', 'name', 'sink1']);
        run('ip', ['-n', this.ns, 'link', 'set', 'sink0', 'up']);
        run('ip', ['-n', this.ns, 'link', 'set', 'sink1', 'up']);
      }
      this.exec('tc', ['qdisc', 'add', 'dev', this.iface, 'clsact']);
      this.exec('tc', ['filter', 'add', 'dev', this.iface, 'egress', 'pref', '1', 'bpf', 'bytecode', lossBytecode(percent, this.lan.observerAddress), 'action', 'mirred', 'egress', 'redirect', 'dev', 'sink0']);
      this.lossMethod = 'bpf';
    } catch (bpfError) {
      this.clearLoss();
      try {
        this.exec('tc', ['qdisc', 'add', 'dev', this.iface, 'root', 'netem', 'loss', `${percent}%`]);
        this.lossMethod = 'netem';
      } catch (netemError) {
        throw new Error(`cannot make ${this.ns} lose packets: ${(bpfError as Error).message}; and netem: ${(netemError as Error).message}`);
      }
    }
  }

  /** How the last setLoss works: 'bpf' (clsact + random cBPF filter) or 'netem'. */
  get lossBy(): 'bpf' | 'netem' | null {
    return this.lossMethod;
  }

  clearLoss(): void {
    spawnSync('ip', ['netns', 'exec', this.ns, 'tc', 'qdisc', 'del', 'dev', this.iface, 'clsact']);
    spawnSync('ip', ['netns', 'exec', this.ns, 'tc', 'qdisc', 'del', 'dev', this.iface, 'root']);
    this.lossMethod = null;
  }

  /** Packets this host's eth0 counted as sent, and those the loss filter took (0 without one). */
  lossCounters(): { sent: number; dropped: number } {
    const stats = JSON.parse(run('ip', ['-n', this.ns, '-s', '-j', 'link', 'show', 'dev', this.iface])) as { stats64?: { tx?: { packets?: number } } }[];
    const sink = this.hasSink()
      ? (JSON.parse(run('ip', ['-n', this.ns, '-s', '-j', 'link', 'show', 'dev', 'sink0'])) as { stats64?: { tx?: { packets?: number } } }[])
      : [];
    return { sent: stats[0]?.stats64?.tx?.packets ?? 0, dropped: sink[0]?.stats64?.tx?.packets ?? 0 };
  }

  /** Cuts the host off the bridge (its switch port goes down; its own interface keeps its address and routes). */
  disconnect(): void {
    run('ip', ['-n', this.lan.switchNs, 'link', 'set', `p${this.index}`, 'down']);
  }

  reconnect(): void {
    run('ip', ['-n', this.lan.switchNs, 'link', 'set', `p${this.index}`, 'up']);
  }

  private hasSink(): boolean {
    return spawnSync('ip', ['-n', this.ns, 'link', 'show', 'dev', 'sink0']).status === 0;
  }
}

const live = new Set<Lan>();
let lanCount = 0;
let exitHookInstalled = false;

/** A bridge in a switch namespace, and hosts (namespaces) plugged into it. */
export class Lan {
  readonly hosts: Host[] = [];
  readonly switchNs: string;
  /** The first three octets of the /24: hosts are .1, .2, ...; the observer is .254. */
  readonly subnet: string;
  readonly observerAddress: string;
  private observerProcess: Observer | undefined;
  private readonly hostObservers = new Map<string, Observer>();
  private destroyed = false;

  private constructor(readonly prefix: string) {
    this.switchNs = `${prefix}-sw`;
    this.subnet = `10.254.${((process.pid + lanCount) % 254) + 1}`;
    this.observerAddress = `${this.subnet}.254`;
  }

  /** Creates the switch and `hosts` hosts. Removes stale namespaces of dead runs first. */
  static create(hosts: number): Lan {
    if (!exitHookInstalled) {
      exitHookInstalled = true;
      const destroyAll = (): void => {
        for (const lan of live) lan.destroy();
      };
      process.on('exit', destroyAll);
      // A signal that would end the process skips 'exit': clean up, then let it end the process as it would have.
      for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
        if (process.listenerCount(signal) > 0) process.on(signal, destroyAll);
        else
          process.once(signal, () => {
            destroyAll();
            process.kill(process.pid, signal);
          });
      }
    }
    reapStaleNamespaces();
    lanCount++;
    const lan = new Lan(`${RUN_PREFIX}-l${lanCount}`);
    live.add(lan);
    try {
      const sw = lan.switchNs;
      run('ip', ['netns', 'add', sw]);
      run('ip', ['-n', sw, 'link', 'set', 'lo', 'up']);
      run('ip', ['-n', sw, 'link', 'add', 'br0', 'type', 'bridge']);
      run('ip', ['-n', sw, 'addr', 'add', `${lan.observerAddress}/24`, 'dev', 'br0']);
      run('ip', ['-n', sw, 'link', 'set', 'br0', 'up']);
      for (let i = 0; i < hosts; i++) lan.addHost();
    } catch (e) {
      lan.destroy();
      throw e;
    }
    return lan;
  }

  /** Plugs one more host into the bridge. */
  addHost(): Host {
    const index = this.hosts.length + 1;
    if (index > 253) throw new Error('a Lan holds at most 253 hosts');
    const host = new Host(this, index, `${this.prefix}-h${index}`, `${this.subnet}.${index}`);
    const { ns } = host;
    run('ip', ['netns', 'add', ns]);
    this.hosts.push(host);
    run('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
    run('ip', ['-n', ns, 'link', 'add', 'eth0', 'type', 'veth', 'peer', 'name', `p${index}`, 'netns', this.switchNs]);
    run('ip', ['-n', ns, 'addr', 'add', `${host.address}/24`, 'dev', 'eth0']);
    run('ip', ['-n', ns, 'link', 'set', 'eth0', 'up']);
    run('ip', ['-n', ns, 'route', 'add', '224.0.0.0/4', 'dev', 'eth0']);
    run('ip', ['-n', this.switchNs, 'link', 'set', `p${index}`, 'master', 'br0']);
    run('ip', ['-n', this.switchNs, 'link', 'set', `p${index}`, 'up']);
    return host;
  }

  /** The observer (started on first use): HTTP from the switch namespace. */
  get observer(): Observer {
    this.observerProcess ??= new Observer(this.switchNs);
    return this.observerProcess;
  }

  /** An observer inside `host`'s own namespace (started on first use): reaches its 127.0.0.1 even while it is cut off. */
  observerIn(host: Host): Observer {
    let o = this.hostObservers.get(host.ns);
    if (!o) this.hostObservers.set(host.ns, (o = new Observer(host.ns)));
    return o;
  }

  /** Kills every process in the Lan's namespaces and deletes them; idempotent, synchronous, never throws. */
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    live.delete(this);
    this.observerProcess?.close();
    for (const o of this.hostObservers.values()) o.close();
    for (const h of this.hosts) removeNamespace(h.ns);
    removeNamespace(this.switchNs);
  }

  /** Namespaces of this Lan that still exist (empty once destroyed). */
  leftovers(): string[] {
    return namespaces().filter((n) => n.startsWith(`${this.prefix}-`));
  }
}
