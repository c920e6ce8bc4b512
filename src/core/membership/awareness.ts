/**
 * Lifeguard's local health: a score that rises when this member's own probes
 * go unanswered while others report the target fine (or when it must refute a
 * suspicion of itself), and falls with each clean probe. Timeouts are
 * stretched by (score + 1): a member with a blocked event loop slows down and
 * doubts itself instead of declaring healthy peers dead.
 */
export class Awareness {
  private score = 0;

  constructor(private readonly max: number) {}

  /** Adds `delta` and keeps the score within [0, max - 1]. */
  apply(delta: number): void {
    this.score = Math.min(this.max - 1, Math.max(0, this.score + delta));
  }

  get health(): number {
    return this.score;
  }

  /** `ms` stretched by the current score. */
  scale(ms: number): number {
    return ms * (this.score + 1);
  }
}
