/**
 * The agent's parts start in order and stop in reverse. A part that fails to
 * start stops the ones already running; a stop is bounded by a deadline.
 */
import type { AgentConfig } from '../config/load.js';
import type { ErrorCode } from '../error-codes.js';
import type { Logger } from '../ops/log.js';

export interface Part {
  readonly name: string;
  start(): Promise<void>;
  /**
   * Releases everything the part holds; called once, only after a successful
   * start. `letGo` aborts when the stop is running out of time (at 80% of its
   * deadline): the part stops waiting for work in flight, drops what is left
   * and resolves.
   */
  stop(letGo: AbortSignal): Promise<void>;
  /** Applies the live-reloadable settings of `next` (SIGHUP). */
  reload?(next: AgentConfig): void;
}

export class Lifecycle {
  private readonly running: Part[] = [];

  constructor(
    private readonly parts: readonly Part[],
    private readonly log: Logger,
  ) {}

  /** Starts every part in order; if one fails, stops those started (within `stopTimeoutMs`) and rethrows. */
  async start(stopTimeoutMs: number): Promise<void> {
    for (const part of this.parts) {
      try {
        await part.start();
      } catch (e) {
        this.log.debug('part failed to start', { part: part.name });
        await this.stop(stopTimeoutMs);
        throw e;
      }
      this.running.push(part);
      this.log.debug('part started', { part: part.name });
    }
  }

  /**
   * Stops the running parts in reverse order. Resolves true when all of them
   * stopped cleanly within `timeoutMs`, false when one failed or time ran out
   * (the parts not yet stopped are then abandoned).
   */
  async stop(timeoutMs: number): Promise<boolean> {
    const letGo = new AbortController();
    let onExpiry!: () => void;
    const expired = new Promise<'expired'>((resolve) => (onExpiry = () => resolve('expired')));
    const timers = [setTimeout(() => letGo.abort(), timeoutMs * 0.8), setTimeout(onExpiry, timeoutMs)];
    let clean = true;
    try {
      for (let part = this.running.pop(); part !== undefined; part = this.running.pop()) {
        const stopped = part.stop(letGo.signal).then(
          () => 'stopped' as const,
          (error: unknown) => {
            this.log.error('part failed to stop', { part: part?.name, error });
            clean = false;
            return 'failed' as const;
          },
        );
        if ((await Promise.race([stopped, expired])) === 'expired') {
          this.log.error('stop deadline passed; abandoning the parts still running', {
            code: 'DINC_STOP_TIMEOUT' satisfies ErrorCode,
            part: part.name,
            abandoned: [part, ...this.running.reverse()].map((p) => p.name),
          });
          this.running.length = 0;
          return false;
        }
        this.log.debug('part stopped', { part: part.name });
      }
      return clean;
    } finally {
      timers.forEach(clearTimeout);
    }
  }

  reload(next: AgentConfig): void {
    for (const part of this.running) part.reload?.(next);
  }
}
