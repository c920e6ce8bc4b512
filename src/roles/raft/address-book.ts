/**
 * Where each member of the Raft group listens. Three sources, the first that
 * knows wins: the replicated book (written by `raft add`, so every member
 * learns it through the log), `[raft] peers`, and the `raft` service that
 * raft-role agents advertise in gossip.
 */
import { parseHostPort, type HostPort, type RaftPeer } from '../../config/values.js';
import type { Member } from '../../core/membership/types.js';
import type { KvResult } from '../../core/state/kv-types.js';

/** Keys of the replicated address book; clients cannot write under this prefix. */
export const RESERVED_PREFIX = '_dinc/';
export const addressKey = (id: string): string => `${RESERVED_PREFIX}raft/address/${id}`;

export interface AddressSources {
  readonly peers: readonly RaftPeer[];
  /** The local machine's value of a key. */
  readLocal(key: string): KvResult | undefined;
  /** Members known through gossip. */
  members(): readonly Member[];
}

export class AddressBook {
  constructor(private readonly sources: AddressSources) {}

  resolve(id: string): HostPort | undefined {
    const stored = this.sources.readLocal(addressKey(id));
    if (stored?.ok && typeof stored.value === 'string') {
      const parsed = tryParse(stored.value);
      if (parsed) return parsed;
    }
    const peer = this.sources.peers.find((p) => p.id === id);
    if (peer) return { host: peer.host, port: peer.port };
    const advertised = this.sources.members().find((m) => m.id === id)?.meta.services.raft;
    return advertised === undefined ? undefined : tryParse(advertised);
  }
}

function tryParse(text: string): HostPort | undefined {
  try {
    return parseHostPort(text);
  } catch {
    return undefined;
  }
}
