/**
 * The replicated key/value machine. Every key has a revision, the log index of
 * the entry that last wrote it; writes may be guarded by `cas` on it. Commands
 * with a client session are applied exactly once (sessions.ts). Reads that do
 * not go through the log (ReadIndex, lease or stale reads) use `read`.
 */
import { decodeKvCommand } from './kv-codec.js';
import { KV_SNAPSHOT_VERSION, decodeKvState, encodeKvState } from './kv-snapshot.js';
import type { KvEntry } from './kv-snapshot.js';
import type { ClientSession, KvCommand, KvOperation, KvResult } from './kv-types.js';
import { SnapshotCorruptError } from './machine.js';
import type { StateMachine } from './machine.js';
import { MachineKind, frameSnapshot, unframeSnapshot } from './snapshot-frame.js';
import { DEFAULT_MAX_SESSIONS, SessionTable } from './sessions.js';

export interface KvMachineOptions {
  /** Clients remembered for exactly-once; must be the same on every server. Default 10 000. */
  readonly maxSessions?: number;
}

/** The result of the leader's no-op entry (an empty command). */
const NO_OP: KvResult = Object.freeze({ ok: true, revision: 0 });

export class KvMachine implements StateMachine<KvResult> {
  private applied = 0;
  private session: ClientSession | undefined;
  private keys = new Map<string, KvEntry>();
  private readonly sessions: SessionTable<KvResult>;

  constructor(options: KvMachineOptions = {}) {
    this.sessions = new SessionTable(options.maxSessions ?? DEFAULT_MAX_SESSIONS);
  }

  get appliedIndex(): number {
    return this.applied;
  }

  /** Number of keys stored. */
  get size(): number {
    return this.keys.size;
  }

  apply(index: number, command: Uint8Array): KvResult {
    if (!Number.isSafeInteger(index) || index <= this.applied) {
      throw new RangeError(`kv: entry ${index} applied after ${this.applied}; indexes must increase`);
    }
    this.applied = index;
    this.session = undefined;
    if (command.length === 0) return NO_OP;
    const decoded = decodeKvCommand(command);
    if (!decoded.ok) return { ok: false, revision: 0, error: 'bad-command', reason: decoded.reason };
    this.session = decoded.value.session;
    return this.applyCommand(index, decoded.value);
  }

  /** The session of the command `apply` last applied, if it had one: how a proposer recognizes its own command. */
  get lastSession(): ClientSession | undefined {
    return this.session;
  }

  /** The key's value and revision as of `appliedIndex`, like a get through the log; the value is frozen. */
  read(key: string): KvResult {
    const entry = this.keys.get(key);
    return entry === undefined ? { ok: false, revision: 0, error: 'not-found' } : { ok: true, revision: entry.revision, value: entry.value };
  }

  snapshot(): Uint8Array {
    const body = encodeKvState({ applied: this.applied, keys: this.keys, sessions: this.sessions.list() });
    return frameSnapshot(MachineKind.Kv, KV_SNAPSHOT_VERSION, body);
  }

  restore(data: Uint8Array): void {
    const body = unframeSnapshot(data, MachineKind.Kv, KV_SNAPSHOT_VERSION);
    if (!body.ok) throw new SnapshotCorruptError(`kv snapshot: ${body.reason}`);
    const state = decodeKvState(body.value);
    if (!state.ok) throw new SnapshotCorruptError(`kv snapshot: ${state.reason}`);
    const refused = this.sessions.replace(state.value.sessions);
    if (refused !== null) throw new SnapshotCorruptError(`kv snapshot: ${refused}`);
    this.applied = state.value.applied;
    this.keys = new Map(state.value.keys);
  }

  private applyCommand(index: number, command: KvCommand): KvResult {
    const { session } = command;
    if (session === undefined) return this.execute(index, command);
    const verdict = this.sessions.verdict(session.client, session.seq);
    let result: KvResult;
    switch (verdict.status) {
      case 'stale':
        return { ok: false, revision: 0, error: 'stale-sequence', reason: `client ${session.client} is at seq ${verdict.lastSeq}` };
      case 'retry':
        result = verdict.result;
        break;
      case 'new':
        // Frozen: the same object is handed out again to every retry.
        result = Object.freeze(this.execute(index, command));
        break;
    }
    this.sessions.record(session.client, session.seq, index, result);
    return result;
  }

  private execute(index: number, op: KvOperation): KvResult {
    if (op.type === 'get') return this.read(op.key);
    const entry = this.keys.get(op.key);
    const current = entry?.revision ?? 0;
    if (op.cas !== undefined && op.cas !== current) return { ok: false, revision: current, error: 'cas-failed' };
    if (op.type === 'put') {
      this.keys.set(op.key, { revision: index, value: op.value });
      return { ok: true, revision: index };
    }
    if (entry === undefined) return { ok: false, revision: 0, error: 'not-found' };
    this.keys.delete(op.key);
    return { ok: true, revision: index };
  }
}
