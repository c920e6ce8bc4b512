/**
 * A tiny deterministic network of RaftNodes for unit tests, in the manner of
 * etcd's raft tests: messages queue in order and are delivered by
 * `stabilize()`; links can be cut, nodes isolated, crashed (keeping only
 * what they persisted) and restarted. Each Ready is persisted to the node's
 * disk before its messages are queued, as the contract demands.
 */
import { RaftNode } from '../../../src/core/raft/node.js';
import { DEFAULT_RAFT_CONFIG, bootstrapState } from '../../../src/core/raft/types.js';
import type { Entry, FailedRead, HardState, Message, NodeId, PersistedState, RaftConfig, ReadState, Ready, Snapshot } from '../../../src/core/raft/types.js';
import { seededRng } from '../../../src/core/rng.js';

export const TEST_CONFIG: Omit<RaftConfig, 'id'> = { ...DEFAULT_RAFT_CONFIG, electionTicks: 10, heartbeatTicks: 1 };

/** What a node has durably written. */
export class Disk {
  hardState: HardState = { term: 0, vote: null, commit: 0 };
  snapshot: Snapshot | undefined;
  entries: Entry[] = [];

  constructor(initial: PersistedState) {
    this.hardState = initial.hardState;
    this.snapshot = initial.snapshot;
    this.entries = [...initial.entries];
  }

  persist(ready: Ready): void {
    if (ready.hardState) this.hardState = ready.hardState;
    if (ready.snapshot) {
      this.snapshot = ready.snapshot;
      this.entries = [];
    }
    for (const entry of ready.entries) {
      const base = this.snapshot?.meta.index ?? 0;
      this.entries.length = Math.min(this.entries.length, entry.index - base - 1);
      this.entries.push(entry);
    }
  }

  compact(snapshot: Snapshot): void {
    this.entries = this.entries.filter((e) => e.index > snapshot.meta.index);
    this.snapshot = snapshot;
  }

  load(): PersistedState {
    return { hardState: this.hardState, ...(this.snapshot ? { snapshot: this.snapshot } : {}), entries: [...this.entries] };
  }
}

/** One server: its core, its disk and what its application saw. */
export class Server {
  node: RaftNode;
  /** Normal entries with data applied, as text, in order (the no-ops are left out). */
  applied: string[] = [];
  appliedIndex = 0;
  /** Every committed entry handed to the application, config and no-ops included. */
  committed: Entry[] = [];
  snapshotsInstalled: Snapshot[] = [];
  readStates: ReadState[] = [];
  failedReads: FailedRead[] = [];
  sent: Message[] = [];
  private life = 0;

  constructor(
    readonly id: NodeId,
    readonly disk: Disk,
    private readonly config: RaftConfig,
    private readonly seed: number,
  ) {
    this.node = this.boot();
  }

  private boot(): RaftNode {
    this.life++;
    return new RaftNode(this.config, this.disk.load(), seededRng(this.seed * 1000 + this.life));
  }

  /** Crash and restart: everything not persisted is lost; the application rebuilds from the snapshot and the log. */
  restart(): void {
    this.node = this.boot();
    const snap = this.disk.snapshot;
    this.applied = snap ? decodeApplied(snap.data) : [];
    this.appliedIndex = snap?.meta.index ?? 0;
  }

  /** Handles every pending Ready: persist, then hand back the messages to send. */
  processReady(): Message[] {
    const out: Message[] = [];
    while (this.node.hasReady()) {
      const ready = this.node.ready();
      this.disk.persist(ready);
      if (ready.snapshot) {
        this.snapshotsInstalled.push(ready.snapshot);
        this.applied = decodeApplied(ready.snapshot.data);
        this.appliedIndex = ready.snapshot.meta.index;
      }
      for (const entry of ready.committed) {
        this.committed.push(entry);
        if (entry.kind === 'normal' && entry.data.length > 0) this.applied.push(text(entry.data));
        this.appliedIndex = entry.index;
      }
      this.readStates.push(...ready.readStates);
      this.failedReads.push(...ready.failedReads);
      out.push(...ready.messages);
      this.sent.push(...ready.messages);
      this.node.advance(ready);
      this.node.applied(this.appliedIndex);
    }
    return out;
  }

  /** Snapshots the application (its applied list) and compacts the log, on disk and in the core. */
  compact(): Snapshot {
    const snapshot = this.node.compact(this.appliedIndex, encodeApplied(this.applied));
    this.disk.compact(snapshot);
    return snapshot;
  }
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();
export const bytes = (s: string): Uint8Array => encoder.encode(s);
export const text = (b: Uint8Array): string => decoder.decode(b);
const encodeApplied = (applied: readonly string[]): Uint8Array => bytes(JSON.stringify(applied));
const decodeApplied = (data: Uint8Array): string[] => (data.length === 0 ? [] : (JSON.parse(text(data)) as string[]));

/** Decides the fate of a message in flight; a message returned is delivered instead of it. */
export type Filter = (m: Message) => 'deliver' | 'drop' | 'duplicate' | Message;

export class Network {
  readonly servers = new Map<NodeId, Server>();
  /** Messages sent and not yet delivered, in order. */
  queue: Message[] = [];
  private readonly cut = new Set<string>();
  filter: Filter = () => 'deliver';
  delivered = 0;

  /** `voters` start from `states[id]` when given, else from a fresh bootstrap of the group. */
  constructor(
    voters: readonly NodeId[],
    overrides: Partial<Omit<RaftConfig, 'id'>> = {},
    private readonly seed = 1,
    states: Readonly<Record<NodeId, PersistedState>> = {},
  ) {
    for (const id of voters) this.add(id, states[id] ?? bootstrapState(voters), overrides);
  }

  add(id: NodeId, initial: PersistedState, overrides: Partial<Omit<RaftConfig, 'id'>> = {}): Server {
    const index = this.servers.size + 1;
    const server = new Server(id, new Disk(initial), { ...TEST_CONFIG, ...overrides, id }, this.seed * 100 + index);
    this.servers.set(id, server);
    return server;
  }

  get(id: NodeId): Server {
    const server = this.servers.get(id);
    if (!server) throw new Error(`no server ${id}`);
    return server;
  }

  node(id: NodeId): RaftNode {
    return this.get(id).node;
  }

  /** Cuts (both ways) every link between the groups. */
  partition(...groups: NodeId[][]): void {
    for (const a of groups) for (const b of groups) if (a !== b) for (const x of a) for (const y of b) this.cut.add(`${x}>${y}`);
  }

  isolate(id: NodeId): void {
    this.partition([id], [...this.servers.keys()].filter((other) => other !== id));
  }

  heal(): void {
    this.cut.clear();
  }

  /** Collects Readies of every server. */
  flush(): void {
    for (const server of this.servers.values()) this.queue.push(...server.processReady());
  }

  /** Delivers one queued message (after the filter); returns false when none is left. */
  deliverOne(): boolean {
    const m = this.queue.shift();
    if (!m) return false;
    const target = this.servers.get(m.to);
    if (!target || this.cut.has(`${m.from}>${m.to}`)) return true;
    const verdict = this.filter(m);
    if (verdict === 'drop') return true;
    target.node.step(typeof verdict === 'object' ? verdict : m);
    if (verdict === 'duplicate') target.node.step(m);
    this.delivered++;
    return true;
  }

  /** Delivers messages until the network is quiet. */
  stabilize(limit = 100_000): void {
    this.flush();
    for (let i = 0; i < limit; i++) {
      if (!this.deliverOne()) {
        this.flush();
        if (this.queue.length === 0) return;
      } else {
        this.flush();
      }
    }
    throw new Error('network did not stabilize');
  }

  /** Ticks `ids` (default all) `n` times, stabilizing after each round. */
  tick(n = 1, ids: readonly NodeId[] = [...this.servers.keys()]): void {
    for (let i = 0; i < n; i++) {
      for (const id of ids) this.node(id).tick();
      this.stabilize();
    }
  }

  /** Makes `id` campaign by ticking it alone past its election timeout and lets the election finish; a few rounds if it loses. */
  elect(id: NodeId): void {
    for (let round = 0; round < 3 && this.node(id).status().role !== 'leader'; round++) {
      const node = this.node(id);
      for (let i = 0; i < 2 * TEST_CONFIG.electionTicks + 1 && node.status().role === 'follower'; i++) node.tick();
      this.stabilize();
    }
  }

  leaders(): NodeId[] {
    return [...this.servers.values()].filter((s) => s.node.status().role === 'leader').map((s) => s.id);
  }

  /** Proposes `data` on `id`, expecting it to be accepted. */
  propose(id: NodeId, data: string): { index: number; term: number } {
    const result = this.node(id).propose(bytes(data));
    if (!result.ok) throw new Error(`proposal refused: ${result.error}`);
    return { index: result.index, term: result.term };
  }
}

/** A normal entry; `data` defaults to "index@term". */
export function entry(index: number, term: number, data = `${index}@${term}`): Entry {
  return { index, term, kind: 'normal', data: bytes(data) };
}

/** The persisted state of a member of `voters` whose log holds `entries` (after the bootstrap snapshot). */
export function stateWith(voters: readonly NodeId[], term: number, entries: readonly Entry[], vote: NodeId | null = null): PersistedState {
  return { ...bootstrapState(voters), hardState: { term, vote, commit: 0 }, entries };
}

/** Entries `from`..`to` of one term. */
export function run(from: number, to: number, term: number): Entry[] {
  return Array.from({ length: to - from + 1 }, (_, i) => entry(from + i, term));
}

/** Takes every Ready of a lone node (persisting nothing) and returns the messages. */
export function drain(node: RaftNode): Message[] {
  const out: Message[] = [];
  while (node.hasReady()) {
    const ready = node.ready();
    out.push(...ready.messages);
    node.advance(ready);
  }
  return out;
}

/** The terms of a disk's log, in index order. */
export function termsOf(disk: Disk): number[] {
  return disk.entries.map((e) => e.term);
}
