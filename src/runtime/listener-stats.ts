/**
 * What the agent's listeners refused or lost, by listener name ("web",
 * "raft", ...), for `/metrics`. Reasons are bounded sets; no address ever
 * becomes a label.
 */

/** Why a connection was refused before any byte of it was read. */
export type ConnectionRefusal = 'listener-full' | 'address-full';

/** Why the HTTP server closed a connection without a request reaching a handler. */
export type ClientErrorReason = 'request-timeout' | 'headers-too-large' | 'bad-request' | 'reset';

export interface ListenerCounts {
  /** Connections refused, by reason: the listener's cap, or the cap of one remote address. */
  readonly refused: Record<ConnectionRefusal, number>;
  /** Connections closed for a malformed, oversized or too slow request, by reason. */
  readonly clientErrors: Record<ClientErrorReason, number>;
  /** Requests whose client went away before they were answered. */
  aborted: number;
}

export class ListenerStats {
  private readonly table = new Map<string, ListenerCounts>();
  private readonly extra = new Map<string, () => Readonly<Record<string, number>>>();

  /** The counts of `listener`, created at zero the first time it is named. */
  of(listener: string): ListenerCounts {
    let c = this.table.get(listener);
    if (c === undefined) {
      c = {
        refused: { 'listener-full': 0, 'address-full': 0 },
        clientErrors: { 'request-timeout': 0, 'headers-too-large': 0, 'bad-request': 0, reset: 0 },
        aborted: 0,
      };
      this.table.set(listener, c);
    }
    return c;
  }

  /** Adds refusals counted elsewhere (the Raft transport's, by reason) to `listener`'s, read at each scrape. */
  addRefusals(listener: string, read: () => Readonly<Record<string, number>>): void {
    this.of(listener);
    this.extra.set(listener, read);
  }

  /** Every listener's refusals by reason, its own and those added, as of now. */
  refusals(): Array<{ listener: string; reason: string; count: number }> {
    const out: Array<{ listener: string; reason: string; count: number }> = [];
    for (const [listener, c] of this.table) {
      const all = { ...c.refused, ...(this.extra.get(listener)?.() ?? {}) };
      for (const [reason, count] of Object.entries(all)) out.push({ listener, reason, count });
    }
    return out;
  }

  /** Every listener's counts. */
  entries(): ReadonlyArray<readonly [string, ListenerCounts]> {
    return [...this.table];
  }
}
