/**
 * Remembers packets of another cluster (a cluster tag other than ours) so
 * the agent can say so: at most one warning a minute, naming the latest
 * sender, and the "no other agent heard" warning replaced by the reason.
 * Only the tag (CRC-32 of the other cluster's name) travels, not the name.
 */
import { formatAddress, type Address } from '../../core/membership/types.js';

/** Fewest milliseconds between two warnings about foreign packets. */
export const FOREIGN_WARNING_INTERVAL_MS = 60_000;

export class ForeignClusterNotice {
  /** Foreign packets dropped since start. */
  dropped = 0;
  private last: { readonly from: Address; readonly tag: number } | undefined;
  private warnedAt = Number.NEGATIVE_INFINITY;
  private sinceWarning = 0;

  constructor(
    private readonly clusterName: string,
    private readonly ownTag: number,
  ) {}

  /** Records one dropped packet; returns the warning to log now, if one is due. */
  record(from: Address, frame: Uint8Array, now: number): string | undefined {
    this.dropped++;
    this.sinceWarning++;
    const tag = frame.length >= 8 ? new DataView(frame.buffer, frame.byteOffset, frame.byteLength).getUint32(4) : 0;
    this.last = { from, tag };
    if (now - this.warnedAt < FOREIGN_WARNING_INTERVAL_MS) return undefined;
    this.warnedAt = now;
    const count = this.sinceWarning;
    this.sinceWarning = 0;
    return `${this.describe()}${count > 1 ? ` (${count} packets since the last warning)` : ''}`;
  }

  /** Words for the latest foreign sender, or undefined when none was seen. */
  describe(): string | undefined {
    const last = this.last;
    if (last === undefined) return undefined;
    return (
      `dropping packets from another cluster (tag ${hex(last.tag)}) at ${formatAddress(last.from)}; ` +
      `this agent is in cluster '${this.clusterName}' (tag ${hex(this.ownTag)}): check [cluster] name on both`
    );
  }
}

const hex = (n: number): string => `0x${n.toString(16).padStart(8, '0')}`;
