/**
 * Lifeguard's suspicion timeout: it starts long and shrinks as independent
 * members confirm the suspicion, so a real failure is declared quickly while
 * a lone (perhaps wrong) suspicion leaves the suspect time to refute.
 */
import type { MembershipConfig } from './config.js';

/** The minimum and maximum suspicion timeouts (ms) for a cluster of `n` members. */
export function suspicionBounds(config: MembershipConfig, n: number): { minMs: number; maxMs: number } {
  const minMs = config.suspicionMult * Math.max(1, Math.log10(Math.max(1, n))) * config.probeIntervalMs;
  return { minMs, maxMs: minMs * config.suspicionMaxTimeoutMult };
}

/** Confirmations wanted before the timeout reaches its minimum; 0 when the cluster is too small to give them. */
export function expectedConfirmations(config: MembershipConfig, n: number): number {
  const k = config.suspicionMult - 2;
  return n - 2 < k ? 0 : Math.max(0, k);
}

/**
 * Timeout (ms) after `confirmations` of `k` expected: max, falling
 * logarithmically to min once k confirmations arrived. With k = 0 it is min.
 */
export function suspicionTimeout(minMs: number, maxMs: number, confirmations: number, k: number): number {
  if (k <= 0) return minMs;
  const fraction = Math.log(confirmations + 1) / Math.log(k + 1);
  return Math.max(minMs, Math.floor(maxMs - fraction * (maxMs - minMs)));
}

/** One running suspicion of one member at one incarnation. */
export class Suspicion {
  private readonly confirmedBy = new Set<string>();
  /** When to ask the suspect directly again (see `askedAt`). */
  nextAskAt: number;

  constructor(
    readonly incarnation: number,
    private readonly startedAt: number,
    private readonly minMs: number,
    private readonly maxMs: number,
    private readonly k: number,
    /** The first suspecter; its own later messages are no confirmation. */
    private readonly from: string,
  ) {
    this.nextAskAt = startedAt + Math.floor(minMs / 2);
  }

  /**
   * Records that the suspect was just asked directly; the next ask comes
   * halfway through the time left (never sooner than `gapMs`), so a live
   * suspect that missed the gossip of our suspicion gets a few chances to
   * answer before the deadline.
   */
  askedAt(now: number, gapMs: number): void {
    this.nextAskAt = now + Math.max(gapMs, Math.floor((this.deadline - now) / 2));
  }

  /** Records a confirmation from `from`; true when it is new and independent. */
  confirm(from: string): boolean {
    if (from === this.from || this.confirmedBy.has(from) || this.confirmedBy.size >= this.k) return false;
    this.confirmedBy.add(from);
    return true;
  }

  get confirmations(): number {
    return this.confirmedBy.size;
  }

  /** When the suspect is to be declared dead. */
  get deadline(): number {
    return this.startedAt + suspicionTimeout(this.minMs, this.maxMs, this.confirmedBy.size, this.k);
  }
}
