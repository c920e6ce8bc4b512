/**
 * Client sessions for exactly-once commands, shared by every machine: the last
 * command number each client had applied and its result. A retry of that
 * command gets the stored result again instead of being applied twice; an older
 * command is refused. The table is bounded: past `maxSessions` clients, the
 * one whose last command has the lowest log index is forgotten, the same way on
 * every server (a forgotten client's retry would then apply again).
 */

/** How many clients a machine remembers by default. */
export const DEFAULT_MAX_SESSIONS = 10_000;

export interface SessionRecord<Result> {
  readonly client: string;
  /** The last command number applied for the client. */
  readonly seq: number;
  /** Log index of the client's last command (the one applied, or a retry of it): the eviction order. */
  readonly lastIndex: number;
  readonly result: Result;
}

export type SessionVerdict<Result> =
  | { readonly status: 'new' }
  | { readonly status: 'retry'; readonly result: Result }
  | { readonly status: 'stale'; readonly lastSeq: number };

export class SessionTable<Result> {
  /** Insertion order is lastIndex order (indexes only grow), so the first entry is the one to evict. */
  private readonly records = new Map<string, SessionRecord<Result>>();

  constructor(readonly maxSessions: number = DEFAULT_MAX_SESSIONS) {
    if (!Number.isSafeInteger(maxSessions) || maxSessions < 1) throw new RangeError(`maxSessions must be a positive integer, not ${maxSessions}`);
  }

  get size(): number {
    return this.records.size;
  }

  /** What to do with the client's command number `seq`. */
  verdict(client: string, seq: number): SessionVerdict<Result> {
    const record = this.records.get(client);
    if (record === undefined || seq > record.seq) return { status: 'new' };
    if (seq === record.seq) return { status: 'retry', result: record.result };
    return { status: 'stale', lastSeq: record.seq };
  }

  /** Records the client's command `seq`, applied (or retried) at `index`, above every index recorded so far. */
  record(client: string, seq: number, index: number, result: Result): void {
    this.records.delete(client);
    this.records.set(client, { client, seq, lastIndex: index, result });
    for (const oldest of this.records.keys()) {
      if (this.records.size <= this.maxSessions) break;
      this.records.delete(oldest);
    }
  }

  /** Every record, oldest lastIndex first: the order `replace` takes them back in. */
  list(): SessionRecord<Result>[] {
    return [...this.records.values()];
  }

  /**
   * Replaces all records, given oldest first. Returns why they cannot be taken
   * (more than maxSessions, a client twice, lastIndex not increasing) and then
   * keeps the old ones.
   */
  replace(records: readonly SessionRecord<Result>[]): string | null {
    if (records.length > this.maxSessions) return `${records.length} sessions, more than the limit of ${this.maxSessions}`;
    const clients = new Set<string>();
    let previousIndex = 0;
    for (const record of records) {
      if (clients.has(record.client)) return `client ${JSON.stringify(record.client)} has two sessions`;
      if (record.lastIndex <= previousIndex) return 'sessions are not in increasing index order';
      clients.add(record.client);
      previousIndex = record.lastIndex;
    }
    this.records.clear();
    for (const record of records) this.records.set(record.client, record);
    return null;
  }
}
