/**
 * Membership as a lifecycle part: the pure SWIM core driven by real time,
 * UDP, TCP push-pull, multicast discovery and seed joins, with every frame
 * sealed by the keyring. Bad packets are counted by reason and dropped,
 * never thrown.
 */
import { randomInt } from 'node:crypto';
import { isIP } from 'node:net';
import type { AgentConfig } from '../../config/load.js';
import { seededRng } from '../../core/rng.js';
import { clusterTag, decodePushPull, encodePackets, encodePushPull } from '../../core/membership/codec.js';
import { PROFILES } from '../../core/membership/config.js';
import { Membership, type MemberEvent, type MembershipStats, type Output } from '../../core/membership/membership.js';
import type { PushPull } from '../../core/membership/messages.js';
import { formatAddress, type Address, type Member, type MemberMeta } from '../../core/membership/types.js';
import { EventLog } from '../../ops/event-log.js';
import type { Logger } from '../../ops/log.js';
import type { Part } from '../lifecycle.js';
import { advertiseAddress } from './advertise.js';
import { ForeignClusterNotice } from './foreign-cluster.js';
import { openFrame, readDatagram } from './inbound.js';
import { Keyring } from './keyring.js';
import { Leadership, type LeaderView } from './leadership.js';
import { LoadSampler } from './load-sampler.js';
import { MulticastDiscovery } from './multicast.js';
import { ReplayGuard } from './replay-guard.js';
import { Backoff, resolveSeeds } from './seeds.js';
import { StreamServer, exchange } from './tcp-stream.js';
import { Traffic, type Channel } from './traffic.js';
import { UdpTransport } from './udp-transport.js';

/** How long a graceful leave may spread before the sockets close. */
const LEAVE_PROPAGATE_MS = 500;
/** Warn when nobody has been heard from after this long. */
const ALONE_WARNING_MS = 10_000;

export class MembershipService implements Part {
  readonly name = 'membership';
  readonly traffic = new Traffic();
  /** Joins, suspicions, deaths, leaves and leader changes, for the status. */
  readonly events = new EventLog();
  private readonly changeListeners = new Set<() => void>();
  private core: Membership | undefined;
  private keyring: Keyring;
  /** Kept across reloads (a new key ring keeps the nonces already seen). */
  private readonly replays = new ReplayGuard(Date.now());
  private readonly foreign: ForeignClusterNotice;
  private readonly tag: number;
  private readonly udp: UdpTransport;
  private readonly streams: StreamServer;
  private readonly multicast: MulticastDiscovery | undefined;
  private readonly leadership: Leadership;
  private readonly sampler = new LoadSampler();
  private readonly timers = new Set<NodeJS.Timeout>();
  private tickTimer: NodeJS.Timeout | undefined;
  private running = false;

  constructor(
    private config: AgentConfig,
    private readonly log: Logger,
    /** What this agent advertises; read once the other parts have started. */
    private readonly meta: () => MemberMeta,
  ) {
    const { agent, cluster } = config;
    this.keyring = keyringOf(config);
    this.tag = clusterTag(cluster.name);
    this.foreign = new ForeignClusterNotice(cluster.name, this.tag);
    // The TCP listener binds first and fails for a second agent on this port, so UDP may share it with discovery.
    this.udp = new UdpTransport({ host: agent.bind_address, port: agent.port, log, reuseAddr: true });
    this.udp.onPacket((bytes, from) => this.onPacket(bytes, from, 'udp'));
    this.udp.onOversize((size) => this.onOversize(size, 'udp'));
    this.streams = new StreamServer({ host: agent.bind_address, port: agent.port, log, handle: (payload) => this.onStream(payload) });
    if (cluster.multicast_group !== '') {
      const iface = multicastInterface(cluster.multicast_interface, agent.bind_address, cluster.multicast_group);
      this.multicast = new MulticastDiscovery({
        group: cluster.multicast_group,
        port: cluster.discovery_port,
        ttl: cluster.multicast_ttl,
        ...(iface !== undefined ? { interfaceAddress: iface } : {}),
        log,
        onPacket: (bytes, from) => this.onPacket(bytes, from, 'multicast'),
        onOversize: (size) => this.onOversize(size, 'multicast'),
      });
    }
    this.leadership = new Leadership(agent.id, log, this.events, cluster.expect || config.nodes.length, cluster.leader_preempt, Date.now());
  }

  /** Every member known, this agent included. */
  members(): Member[] {
    return this.core?.members() ?? [];
  }

  leader(): LeaderView {
    return this.leadership.current;
  }

  /** Lifeguard's local health score (0 = healthy). */
  health(): number {
    return this.core?.health ?? 0;
  }

  /** What the core did: probes, suspicions, refutes. */
  stats(): MembershipStats {
    return this.core?.stats ?? { probes: 0, indirectProbes: 0, suspicions: 0, refutes: 0, claimsRefused: 0, claimsBounded: 0 };
  }

  /** The advertised gossip address, once started. */
  get address(): Address | undefined {
    return this.core?.member(this.config.agent.id)?.addr;
  }

  /** Expected cluster size for the quorum; 0 = none configured. */
  get expected(): number {
    return this.leadership.expected;
  }

  get encrypted(): boolean {
    return this.keyring.encrypted;
  }

  /** Calls `listener` after every change of a member or of the leader; returns the unsubscribe. */
  onChange(listener: () => void): () => void {
    this.changeListeners.add(listener);
    return () => this.changeListeners.delete(listener);
  }

  async start(): Promise<void> {
    const { agent, cluster, gossip } = this.config;
    await this.streams.start();
    await this.udp.start();
    await this.multicast?.start();
    const port = this.udp.boundAddress?.port ?? agent.port;
    const addr = { host: advertiseAddress(agent.bind_address, agent.advertise_address), port };
    this.core = new Membership({
      id: agent.id,
      addr,
      meta: this.meta(),
      config: { ...PROFILES[gossip.profile], maxPacketBytes: PROFILES[gossip.profile].maxPacketBytes - this.keyring.overhead },
      rng: seededRng(randomInt(2 ** 31)),
      now: Date.now(),
    });
    this.running = true;
    this.log.info('membership started', {
      gossip: formatAddress({ host: agent.bind_address, port }),
      advertise: formatAddress(addr),
      multicast: this.multicast ? `${cluster.multicast_group} port ${cluster.discovery_port} via ${this.multicast.interfaceDescription}` : 'off',
      seeds: this.config.nodes.map((n) => n.id).join(',') || 'none',
      encrypted: this.keyring.encrypted,
      profile: gossip.profile,
    });
    this.leadership.update(this.core.members(), Date.now());
    this.after(ALONE_WARNING_MS, () => {
      if (this.core && this.core.liveCount === 1 && (this.multicast || this.config.nodes.length > 0)) {
        const foreign = this.foreign.describe();
        if (foreign !== undefined) this.log.warn(`no agent of this cluster heard yet: ${foreign}`);
        else this.log.warn('no other agent heard yet', { multicast: this.multicast ? `${cluster.multicast_group}:${cluster.discovery_port}` : 'off', seeds: this.config.nodes.length });
      }
    });
    this.every(2000, () => this.core && this.apply(this.core.updateLoad(this.sampler.sample(), Date.now())));
    void this.joinSeeds();
    this.schedule();
  }

  async stop(letGo: AbortSignal): Promise<void> {
    const core = this.core;
    if (core && this.running) {
      this.apply(core.leave(Date.now()));
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, LEAVE_PROPAGATE_MS);
        letGo.addEventListener('abort', () => (clearTimeout(t), resolve()), { once: true });
      });
    }
    this.running = false;
    this.sampler.stop();
    clearTimeout(this.tickTimer);
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    await Promise.all([this.multicast?.stop(), this.udp.stop(), this.streams.stop()]);
  }

  reload(next: AgentConfig): void {
    this.config = next;
    this.keyring = keyringOf(next);
    this.leadership.setPreempt(next.cluster.leader_preempt);
    if (this.core) this.leadership.update(this.core.members(), Date.now());
  }

  /** Joins the agents at `addrs` now; resolves to how many answered. */
  async join(addrs: readonly Address[]): Promise<{ joined: number; failed: string[] }> {
    const core = this.core;
    if (!core) return { joined: 0, failed: addrs.map(formatAddress) };
    const out = core.join(addrs);
    const results = await Promise.all(out.exchanges.map((x) => this.runExchange(x.to, x.message)));
    this.apply({ ...out, exchanges: [] });
    return { joined: results.filter(Boolean).length, failed: out.exchanges.filter((_, i) => !results[i]).map((x) => formatAddress(x.to)) };
  }

  // ---- inputs -----------------------------------------------------------------

  /** Every datagram that arrives is counted in once and, unless its messages reach the core, dropped once with its reason. */
  private onPacket(bytes: Uint8Array, from: Address, channel: Channel): void {
    const core = this.core;
    if (!core || !this.running) return;
    this.traffic.received(channel, bytes.length);
    const now = Date.now();
    const read = readDatagram(bytes, { keyring: this.keyring, guard: this.replays, tag: this.tag, now, windowMs: this.config.cluster.replay_window });
    if ('dropped' in read) {
      if (read.dropped === 'cluster' && read.plain) this.foreignPacket(from, read.plain);
      return this.traffic.drop(read.dropped);
    }
    this.traffic.messages('in', read.messages);
    this.apply(core.receive(from, read.messages, now));
  }

  /** A datagram over the size limit, dropped by the socket unread: counted like any other drop. */
  private onOversize(size: number, channel: Channel): void {
    if (!this.running) return;
    this.traffic.received(channel, size);
    this.traffic.drop('oversize');
  }

  /** The plaintext of a sealed (or, without keys, plain) frame; undefined when dropped, the drop counted. */
  private open(bytes: Uint8Array): Uint8Array | undefined {
    const opened = openFrame(bytes, this.keyring, this.replays, Date.now(), this.config.cluster.replay_window);
    if ('dropped' in opened) {
      this.traffic.drop(opened.dropped);
      return undefined;
    }
    return opened.plain;
  }

  private foreignPacket(from: Address, frame: Uint8Array): void {
    const warning = this.foreign.record(from, frame, Date.now());
    if (warning !== undefined) this.log.warn(warning);
  }

  private onStream(payload: Uint8Array): Uint8Array | null {
    const core = this.core;
    if (!core || !this.running) return null;
    this.traffic.received('tcp', payload.length);
    const plain = this.open(payload);
    if (plain === undefined) return null;
    const decoded = decodePushPull(plain, this.tag);
    if (!decoded.ok) return this.traffic.drop(decoded.reason), null;
    this.traffic.messages('in', [decoded.value]);
    const { reply, output } = core.receivePushPull(decoded.value, Date.now());
    this.apply(output);
    const sealed = this.keyring.seal(encodePushPull(this.tag, reply));
    this.traffic.sent('tcp', sealed.length);
    this.traffic.messages('out', [reply]);
    return sealed;
  }

  // ---- outputs ------------------------------------------------------------------

  private apply(out: Output): void {
    if (!this.core) return;
    const maxBytes = PROFILES[this.config.gossip.profile].maxPacketBytes - this.keyring.overhead;
    for (const p of out.packets) {
      this.traffic.messages('out', p.messages);
      for (const frame of encodePackets(this.tag, p.messages, maxBytes)) this.sendTo(p.to, this.keyring.seal(frame));
    }
    for (const x of out.exchanges) void this.runExchange(x.to, x.message);
    if (out.announce && this.multicast) {
      for (const frame of encodePackets(this.tag, [out.announce], maxBytes)) {
        const sealed = this.keyring.seal(frame);
        this.traffic.sent('multicast', sealed.length);
        this.multicast.announce(sealed);
      }
      this.traffic.messages('out', [out.announce]);
    }
    for (const e of out.events) this.logEvent(e);
    if (out.events.some((e) => e.type !== 'update')) this.leadership.update(this.core.members(), Date.now());
    if (out.events.length > 0) for (const listener of this.changeListeners) listener();
    this.schedule();
  }

  private sendTo(to: Address, bytes: Uint8Array): void {
    this.traffic.sent('udp', bytes.length);
    this.udp.send(to, bytes);
  }

  /** Runs one push-pull; resolves true when the peer answered and its state was merged. */
  private async runExchange(to: Address, message: PushPull): Promise<boolean> {
    this.traffic.exchanges++;
    try {
      const sealed = this.keyring.seal(encodePushPull(this.tag, message));
      this.traffic.sent('tcp', sealed.length);
      this.traffic.messages('out', [message]);
      const reply = await exchange(to, sealed, { timeoutMs: 5000 });
      this.traffic.received('tcp', reply.length);
      const plain = this.open(reply);
      if (plain === undefined) throw new Error('reply dropped (counted by reason)');
      const decoded = decodePushPull(plain, this.tag);
      if (!decoded.ok) {
        this.traffic.drop(decoded.reason);
        throw new Error(`reply dropped: ${decoded.reason}`);
      }
      this.traffic.messages('in', [decoded.value]);
      if (this.core && this.running) this.apply(this.core.receivePushPullReply(decoded.value, Date.now()));
      return true;
    } catch (error) {
      this.traffic.exchangeFailures++;
      this.log.debug('push-pull failed', { to: formatAddress(to), error });
      return false;
    }
  }

  /** Joins the [nodes] seeds, re-resolving them on every try, until another member is alive. */
  private async joinSeeds(): Promise<void> {
    const seeds = this.config.nodes.filter((n) => n.id !== this.config.agent.id);
    if (seeds.length === 0) return;
    const backoff = new Backoff({ baseMs: 1000, maxMs: 30_000, random: Math.random });
    let reported = false;
    while (this.running && this.core && this.core.liveCount === 1) {
      const { resolved, failed } = await resolveSeeds(seeds, undefined, { family: isIP(this.config.agent.bind_address) === 6 ? 0 : 4 });
      if (failed.length > 0 && !reported) {
        this.log.warn('cannot resolve some seeds; retrying', { failed: failed.map((f) => `${f.id}=${f.host}: ${f.error}`) });
        reported = true;
      }
      if (resolved.length > 0 && this.running) await this.join(resolved);
      if (!this.running || (this.core && this.core.liveCount > 1)) break;
      await new Promise((resolve) => this.after(backoff.next(), () => resolve(undefined)));
    }
  }

  private schedule(): void {
    if (!this.running || !this.core) return;
    clearTimeout(this.tickTimer);
    const delay = Math.min(1000, Math.max(0, this.core.nextDeadline() - Date.now()));
    this.tickTimer = setTimeout(() => this.core && this.running && this.apply(this.core.tick(Date.now())), delay);
  }

  /** Logs a member event in GoCluster's words and keeps it for the status. */
  private logEvent({ type, member }: MemberEvent): void {
    const fields = { addr: formatAddress(member.addr), incarnation: member.incarnation };
    const line = EVENT_LINES[type](member.id);
    if (type === 'join') this.log.info(line, { ...fields, roles: member.meta.roles.join(',') || 'none' });
    else if (type === 'dead') this.log.warn(line, fields);
    else if (type === 'update' || type === 'reap') this.log.debug(line, fields);
    else this.log.info(line, fields);
    if (type !== 'update') this.events.add(type, member.id, line);
  }

  private after(ms: number, fn: () => void): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      fn();
    }, ms);
    this.timers.add(t);
  }

  private every(ms: number, fn: () => void): void {
    this.after(ms, () => {
      fn();
      if (this.running) this.every(ms, fn);
    });
  }
}

const EVENT_LINES: Readonly<Record<MemberEvent['type'], (id: string) => string>> = {
  join: (id) => `New node discovered: ${id}`,
  dead: (id) => `Node timeout: ${id}`,
  left: (id) => `Node left: ${id}`,
  suspect: (id) => `Suspecting node: ${id}`,
  alive: (id) => `Node alive again: ${id}`,
  update: (id) => `Node updated: ${id}`,
  reap: (id) => `Node forgotten: ${id}`,
};

/** The configured interface; else, for an IPv4 group, a specific IPv4 bind address; else the kernel's default. */
function multicastInterface(configured: string, bind: string, group: string): string | undefined {
  if (configured !== '') return configured;
  const v4 = (a: string): boolean => /^\d+\.\d+\.\d+\.\d+$/.test(a);
  return v4(group) && v4(bind) && bind !== '0.0.0.0' ? bind : undefined;
}

function keyringOf(config: AgentConfig): Keyring {
  const keys = [config.cluster.encrypt_key, ...config.cluster.encrypt_keys].filter((k) => k !== '');
  return new Keyring(keys, config.cluster.name);
}
