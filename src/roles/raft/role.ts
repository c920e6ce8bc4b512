/**
 * The raft role as an agent part: a Raft member with its log in `[raft]
 * data_dir`, its transport and HTTP API on `[raft] listen`. Start opens the
 * log (refusing a locked or damaged one), listens, and forms or rejoins the
 * group; while it waits for gossip to show `bootstrap_expect` members, the
 * API answers that there is no leader. Stop closes the listener, the
 * connections and the log, in that order.
 */
import type { AgentConfig } from '../../config/load.js';
import type { HostPort } from '../../config/values.js';
import { seededRng } from '../../core/rng.js';
import type { Member } from '../../core/membership/types.js';
import type { Logger } from '../../ops/log.js';
import type { AgentMetrics } from '../../ops/metrics.js';
import type { RaftRoleStatus } from '../../ops/snapshot.js';
import type { ApiAuth } from '../../runtime/http-guard.js';
import type { Part } from '../../runtime/lifecycle.js';
import type { ListenerStats } from '../../runtime/listener-stats.js';
import { metricsRoutes } from '../../runtime/metrics-route.js';
import { RaftHost } from '../../runtime/raft/host.js';
import { realTimers } from '../../runtime/raft/timers.js';
import { RAFT_MAGIC, RaftTransport } from '../../runtime/raft/transport.js';
import { WalStorage } from '../../runtime/raft/wal-storage.js';
import { AddressBook } from './address-book.js';
import { adminRoutes } from './admin-routes.js';
import { initialState } from './bootstrap.js';
import { Forwarder } from './forward.js';
import { kvRoutes } from './kv-routes.js';
import { RAFT_LISTENER, RaftListener } from './listener.js';
import { RemovalCheck, askPeers } from './removal-check.js';
import { raftDataDir, raftSecret, raftTiming } from './settings.js';
import { raftSlot, type ViewSources } from './view.js';

export interface RaftRoleDeps {
  readonly config: () => AgentConfig;
  readonly log: Logger;
  readonly members: () => readonly Member[];
  readonly metrics: AgentMetrics;
  /** Seconds since the agent started. */
  readonly uptime: () => number;
  /** The token settings every request to the role's listener is checked against. */
  readonly auth: ApiAuth;
  /** Where the role's listener counts its refusals (the transport's included), client errors and aborted requests. */
  readonly listenerStats: ListenerStats;
}

/**
 * How long the Raft transport waits for a connection and its handshake before it gives up and retries.
 * Not a setting: the handshake is one round trip of a few hundred bytes; a peer slower than a second
 * misses heartbeats too, and a longer wait only delays the retry after a partition heals.
 */
const HANDSHAKE_TIMEOUT_MS = 1_000;

/**
 * A member heard from within this many ms counts as alive in `/cluster`.
 * Not a setting: it only labels members in that seed-compatible view; nothing is decided by it.
 */
const ALIVE_WITHIN_MS = 3_000;

export class RaftRole implements Part {
  readonly name = 'raft';
  private readonly id: string;
  private readonly book: AddressBook;
  private readonly forwarder: Forwarder;
  private readonly transport: RaftTransport;
  private readonly listener: RaftListener;
  private readonly removal: RemovalCheck;
  private storage: WalStorage | undefined;
  private host: RaftHost | undefined;
  private readonly forming = new AbortController();
  private formed: Promise<void> = Promise.resolve();

  constructor(private readonly deps: RaftRoleDeps) {
    const config = deps.config();
    this.id = config.agent.id;
    this.book = new AddressBook({ peers: config.raft.peers, readLocal: (key) => this.host?.readLocal(key), members: deps.members });
    this.forwarder = new Forwarder(this.id);
    this.transport = new RaftTransport({
      id: this.id,
      secret: raftSecret(config),
      resolve: (id) => this.book.resolve(id),
      onMessages: (messages) => this.host?.receive(messages),
      log: deps.log.child({ part: 'raft-transport' }),
      // A connection attempt made during a partition may wait for SYN retries (1 s, 3 s, ...): give up sooner and retry.
      handshakeTimeoutMs: HANDSHAKE_TIMEOUT_MS,
    });
    this.removal = new RemovalCheck({
      id: this.id,
      status: () => this.host?.status(),
      resolve: (id) => this.book.resolve(id),
      ask: (at) => askPeers(at, deps.config().agent.api_token),
      log: deps.log,
    });
    const view: ViewSources = {
      id: this.id,
      removed: () => this.removal.removed,
      host: () => this.host,
      listen: () => this.listener.boundAddress,
      resolve: (id) => this.book.resolve(id),
      alive: (id) => this.alive(id),
      counters: () => this.counters(),
    };
    const gate = { host: () => this.host, resolve: (id: string) => this.book.resolve(id), canForward: (id: string) => this.transport.isConnected(id), forwarder: this.forwarder };
    const admin = adminRoutes({ ...view, ...gate, slot: () => raftSlot(view), uptime: deps.uptime });
    const routes = new Map([...kvRoutes(gate), ...admin, ...metricsRoutes(deps.metrics)]);
    this.listener = new RaftListener(config.raft.listen, routes, { magic: RAFT_MAGIC, accept: (socket, head) => this.transport.accept(socket, head) }, deps.log, {
      auth: deps.auth,
      stats: deps.listenerStats,
    });
    deps.listenerStats.addRefusals(RAFT_LISTENER, () => this.transport.refusals());
    this.status = () => raftSlot(view);
  }

  /** The role's slot of the status snapshot. */
  readonly status: () => RaftRoleStatus;

  get listenAddress(): HostPort | undefined {
    return this.listener.boundAddress;
  }

  async start(): Promise<void> {
    const config = this.deps.config();
    const log = this.deps.log;
    const storage = await WalStorage.open(raftDataDir(config), log);
    this.storage = storage;
    try {
      await this.listener.start();
    } catch (e) {
      await storage.close();
      throw e;
    }
    const formed = initialState({
      id: this.id,
      peers: config.raft.peers.map((p) => p.id),
      expect: config.raft.bootstrap_expect,
      storage,
      members: this.deps.members,
      log,
      signal: this.forming.signal,
    }).then((state) => {
      const { tickMs, raft } = raftTiming(config);
      this.host = new RaftHost(
        { raft, tickMs, snapshotThreshold: config.raft.snapshot_threshold, storage, transport: this.transport, timers: realTimers, rng: seededRng(randomSeed()), log },
        state,
      );
      this.host.start();
      this.removal.start();
    });
    // Waiting for gossip happens after start; forming from peers or alone is done before it returns.
    if (config.raft.peers.length > 0 || config.raft.bootstrap_expect <= 1) {
      try {
        await formed;
      } catch (e) {
        await this.listener.stop(AbortSignal.abort());
        await storage.close();
        throw e;
      }
    } else {
      this.formed = formed.catch((error: unknown) => {
        if (!this.forming.signal.aborted) log.error('could not form the Raft group', { error });
      });
    }
  }

  async stop(letGo: AbortSignal): Promise<void> {
    this.forming.abort(new Error('stopping'));
    await this.formed;
    this.removal.stop();
    await this.listener.stop(letGo);
    await this.forwarder.close();
    await this.transport.close();
    if (this.host) await this.host.stop();
    else await this.storage?.close();
  }

  private alive(id: string): boolean {
    const heard = this.transport.lastHeard(id);
    if (heard !== undefined && performance.now() - heard < ALIVE_WITHIN_MS) return true;
    const member = this.deps.members().find((m) => m.id === id);
    return member?.state === 'alive';
  }

  private counters(): ReturnType<ViewSources['counters']> {
    const peers = Object.values(this.transport.stats());
    const wal = this.storage?.stats() ?? { saves: 0, fsyncs: 0, retries: 0 };
    return {
      forwarded: this.forwarder.forwarded,
      walSaves: wal.saves,
      walFsyncs: wal.fsyncs,
      walRetries: wal.retries,
      messagesSent: peers.reduce((n, p) => n + p.messagesSent, 0),
      messagesReceived: peers.reduce((n, p) => n + p.messagesReceived, 0),
    };
  }
}

function randomSeed(): number {
  return Math.floor(Math.random() * 2 ** 32);
}
