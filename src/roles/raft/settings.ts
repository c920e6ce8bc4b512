/**
 * The Raft role's settings as the core and the runtime need them: the clock
 * tick and the timeouts in ticks, the data directory, the shared secret. The
 * settings themselves are in config/schema.ts; the constants here are not
 * settings, each for the reason given beside it.
 */
import { createHash } from 'node:crypto';
import { isAbsolute, join } from 'node:path';
import type { AgentConfig } from '../../config/load.js';
import { DEFAULT_RAFT_CONFIG, type RaftConfig } from '../../core/raft/types.js';

/**
 * The core's clock ticks at most this often; heartbeat and election timeout are whole numbers of ticks.
 * Not a setting: it is only the resolution of `[raft] heartbeat_interval` and `election_timeout`, which are.
 */
const MAX_TICK_MS = 10;

/**
 * How long an HTTP request waits for the log before it answers that the outcome is unknown (504 DINC_TIMEOUT).
 * Not a setting: docs/errors.md promises clients an answer within 5 s; a client that wants to wait less
 * sets its own timeout, and a write that takes longer is a sick group, not a slow one.
 */
export const REQUEST_TIMEOUT_MS = 5_000;

/**
 * Entries kept behind a snapshot for followers a little behind (etcd keeps 5000; here at most half the snapshot threshold), bounded in bytes.
 * Not settings: `[raft] snapshot_threshold` is the knob (half of it, when smaller); these only cap what a large threshold keeps.
 */
const CATCH_UP_ENTRIES = 5000;
const CATCH_UP_BYTES = 64 * 1024 * 1024;

export interface RaftTiming {
  readonly tickMs: number;
  readonly raft: RaftConfig;
}

export function raftTiming(config: AgentConfig): RaftTiming {
  const { heartbeat_interval: heartbeat, election_timeout: election } = config.raft;
  const tickMs = Math.min(MAX_TICK_MS, heartbeat);
  const heartbeatTicks = Math.max(1, Math.round(heartbeat / tickMs));
  const electionTicks = Math.max(heartbeatTicks + 1, Math.round(election / tickMs));
  const catchUp = { catchUpEntries: Math.min(CATCH_UP_ENTRIES, Math.floor(config.raft.snapshot_threshold / 2)), catchUpBytes: CATCH_UP_BYTES };
  return { tickMs, raft: { ...DEFAULT_RAFT_CONFIG, ...catchUp, id: config.agent.id, heartbeatTicks, electionTicks } };
}

/** `[raft] data_dir`, or `raft` inside `[agent] data_dir`. */
export function raftDataDir(config: AgentConfig): string {
  const dir = config.raft.data_dir;
  if (dir === '') return join(config.agent.data_dir, 'raft');
  return isAbsolute(dir) ? dir : join(process.cwd(), dir);
}

/** The secret that authenticates Raft traffic: `[raft] token`, else one derived from `[cluster] encrypt_key`, else none. */
export function raftSecret(config: AgentConfig): Uint8Array | null {
  if (config.raft.token !== '') return new TextEncoder().encode(config.raft.token);
  if (config.cluster.encrypt_key === '') return null;
  // A key of its own, so that the gossip key is never used for two purposes.
  return createHash('sha256').update('dinc-raft-transport\0').update(Buffer.from(config.cluster.encrypt_key, 'base64')).digest();
}
