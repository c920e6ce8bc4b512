/** What the membership core knows about each member. */

/** A UDP/TCP endpoint: IPv4 or IPv6 literal and port. */
export interface Address {
  readonly host: string;
  readonly port: number;
}

export const MEMBER_STATES = ['alive', 'suspect', 'dead', 'left'] as const;
export type MemberState = (typeof MEMBER_STATES)[number];

/** What a member advertises; a change bumps its incarnation. */
export interface MemberMeta {
  /** Roles it runs, e.g. ['raft']. */
  readonly roles: readonly string[];
  /** Role name -> the `host:port` of that role's listener. */
  readonly services: Readonly<Record<string, string>>;
  readonly tags: Readonly<Record<string, string>>;
  /** The agent's version. */
  readonly version: string;
}

/** Fast-changing load, spread apart from the incarnation-numbered state. */
export interface MemberLoad {
  /** CPU use in percent, 0-100 (or more with several cores busy). */
  readonly cpu: number;
  /** Event-loop lag in milliseconds. */
  readonly lagMs: number;
}

export interface Member {
  readonly id: string;
  readonly addr: Address;
  readonly incarnation: number;
  readonly state: MemberState;
  readonly meta: MemberMeta;
  /** Virtual or real time (ms) of the last change of state. */
  readonly stateChangedAt: number;
  /** Last time (ms) a message came straight from the member or a probe of it was acked; undefined if never. */
  readonly heardAt?: number;
  /** Latest load heard, with the time it was heard; undefined before the first. */
  readonly load?: MemberLoad & { readonly seq: number; readonly heardAt: number };
}

export const EMPTY_META: MemberMeta = { roles: [], services: {}, tags: {}, version: '' };

export function sameAddress(a: Address, b: Address): boolean {
  return a.host === b.host && a.port === b.port;
}

export function formatAddress(a: Address): string {
  return a.host.includes(':') ? `[${a.host}]:${a.port}` : `${a.host}:${a.port}`;
}
