/**
 * Messages of the membership protocol. Several ride in one UDP packet
 * (compound); push-pull state travels over TCP. `MsgType` values are on the
 * wire: append only, never renumber.
 */
import type { Address, MemberLoad, MemberMeta, MemberState } from './types.js';

export const MsgType = {
  Ping: 0,
  IndirectPing: 1,
  Ack: 2,
  Nack: 3,
  Alive: 4,
  Suspect: 5,
  Dead: 6,
  Load: 7,
  PushPull: 8,
  Announce: 9,
} as const;
export type MsgType = (typeof MsgType)[keyof typeof MsgType];

/** "Are you alive?" — `target` is the id the sender believes it is probing. */
export interface Ping {
  readonly type: typeof MsgType.Ping;
  readonly seq: number;
  readonly target: string;
  readonly from: string;
  readonly fromAddr: Address;
}

/** "Please probe `target` for me and relay its ack." `nack` asks for a nack if it does not answer. */
export interface IndirectPing {
  readonly type: typeof MsgType.IndirectPing;
  readonly seq: number;
  readonly target: string;
  readonly targetAddr: Address;
  readonly from: string;
  readonly fromAddr: Address;
  readonly nack: boolean;
}

export interface Ack {
  readonly type: typeof MsgType.Ack;
  readonly seq: number;
  readonly from: string;
}

/** Sent by an indirect prober whose target did not answer: "I am fine, the target is not". */
export interface Nack {
  readonly type: typeof MsgType.Nack;
  readonly seq: number;
  readonly from: string;
}

export interface Alive {
  readonly type: typeof MsgType.Alive;
  readonly id: string;
  readonly incarnation: number;
  readonly addr: Address;
  readonly meta: MemberMeta;
}

export interface Suspect {
  readonly type: typeof MsgType.Suspect;
  readonly id: string;
  readonly incarnation: number;
  /** Who suspects it: confirmations from distinct members shorten the timeout. */
  readonly from: string;
}

/** `id` is dead; with `left`, it left gracefully (sent by itself). */
export interface Dead {
  readonly type: typeof MsgType.Dead;
  readonly id: string;
  readonly incarnation: number;
  readonly from: string;
  readonly left: boolean;
}

/** A member's current load; `seq` orders updates from the same member. */
export interface Load extends MemberLoad {
  readonly type: typeof MsgType.Load;
  readonly id: string;
  readonly seq: number;
}

/** One member's state as exchanged in push-pull. */
export interface MemberSnapshot {
  readonly id: string;
  readonly addr: Address;
  readonly incarnation: number;
  readonly state: MemberState;
  readonly meta: MemberMeta;
}

/** Full state exchange over TCP; `join` marks the first exchange of a joining member. */
export interface PushPull {
  readonly type: typeof MsgType.PushPull;
  readonly from: string;
  readonly join: boolean;
  readonly members: readonly MemberSnapshot[];
}

/** Multicast discovery: "I am `id` of this cluster, reach me at `addr`". */
export interface Announce {
  readonly type: typeof MsgType.Announce;
  readonly id: string;
  readonly addr: Address;
}

/** Messages that travel in UDP packets. */
export type PacketMessage = Ping | IndirectPing | Ack | Nack | Alive | Suspect | Dead | Load | Announce;
export type Message = PacketMessage | PushPull;
