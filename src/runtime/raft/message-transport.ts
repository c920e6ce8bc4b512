/**
 * How the Raft driver hands its messages to other members. Implementations:
 * `transport.ts` (TCP between processes) and `memory-transport.ts` (between
 * drivers in one process, on injected timers). What arrives for a member is
 * given to the receiver it registered with the implementation.
 */
import type { Message } from '../../core/raft/types.js';

export interface MessageTransport {
  /** Sends each message to its `to`, best effort: a message may be lost, never altered; Raft resends what it needs. */
  send(messages: readonly Message[]): void;
}
