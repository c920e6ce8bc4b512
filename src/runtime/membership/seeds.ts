/**
 * The `[nodes]` seeds, resolved afresh on every attempt (a seed's address
 * may change while the agent waits for it), and the jittered backoff between
 * attempts.
 *
 * A seed names one agent, so each host resolves to one address: the first
 * the system resolver returns (getaddrinfo order, as /etc/gai.conf sets it),
 * of either family unless `family` asks for one. An IP literal resolves to
 * itself without DNS. A name with several addresses is not spread over them.
 */
import { lookup as dnsLookup } from 'node:dns/promises';
import type { LookupAddress } from 'node:dns';

export interface SeedEntry {
  readonly id: string;
  readonly host: string;
  readonly port: number;
}

export interface ResolvedSeed {
  readonly id: string;
  /** An IP literal. */
  readonly host: string;
  readonly port: number;
}

export interface FailedSeed {
  readonly id: string;
  /** The host as configured. */
  readonly host: string;
  /** Why it did not resolve, such as `getaddrinfo ENOTFOUND node3.example`. */
  readonly error: string;
}

/** The resolver, as `dns.promises.lookup` with `{ all: true }`; injected in tests. */
export type Lookup = (hostname: string, options: { all: true }) => Promise<LookupAddress[]>;

/**
 * Resolves every seed's host now, all at once; never rejects. Each seed ends
 * in `resolved` (with the first address of `family`, 0 meaning either) or in
 * `failed`, in the order given.
 */
export async function resolveSeeds(
  seeds: readonly SeedEntry[],
  lookup: Lookup = dnsLookup,
  opts: { readonly family?: 0 | 4 | 6 } = {},
): Promise<{ resolved: ResolvedSeed[]; failed: FailedSeed[] }> {
  const family = opts.family ?? 0;
  const outcomes = await Promise.all(seeds.map((seed) => resolveOne(seed, lookup, family)));
  const resolved: ResolvedSeed[] = [];
  const failed: FailedSeed[] = [];
  for (const o of outcomes) {
    if ('error' in o) failed.push(o);
    else resolved.push(o);
  }
  return { resolved, failed };
}

async function resolveOne(seed: SeedEntry, lookup: Lookup, family: 0 | 4 | 6): Promise<ResolvedSeed | FailedSeed> {
  let addresses: LookupAddress[];
  try {
    addresses = await lookup(seed.host, { all: true });
  } catch (e) {
    return { id: seed.id, host: seed.host, error: e instanceof Error ? e.message : String(e) };
  }
  const first = addresses.find((a) => family === 0 || a.family === family);
  if (first === undefined) {
    const found = addresses.map((a) => a.address).join(', ') || 'none';
    return { id: seed.id, host: seed.host, error: `no IPv${family === 0 ? '4 or IPv6' : family} address (found: ${found})` };
  }
  return { id: seed.id, host: first.address, port: seed.port };
}

export interface BackoffOptions {
  /** Ceiling of the first delay, in ms; each further delay's ceiling doubles. Must be > 0. */
  readonly baseMs: number;
  /** Largest ceiling, in ms; must be >= baseMs. */
  readonly maxMs: number;
  /** A number in [0, 1); Math.random in the runtime, a seeded source in tests. */
  readonly random: () => number;
}

/** Delays between retries: exponential ceiling, "full jitter" below it, so many agents restarting at once do not retry in step. */
export class Backoff {
  private attempt = 0;

  constructor(private readonly opts: BackoffOptions) {
    if (!(opts.baseMs > 0 && Number.isFinite(opts.baseMs))) throw new RangeError(`backoff baseMs (${opts.baseMs}) must be a positive number`);
    if (!(opts.maxMs >= opts.baseMs && Number.isFinite(opts.maxMs))) {
      throw new RangeError(`backoff maxMs (${opts.maxMs}) must be at least baseMs (${opts.baseMs})`);
    }
  }

  /** The next delay in whole ms, uniform in [0, min(maxMs, baseMs * 2^n)) for the n-th call since the last reset (n from 0). */
  next(): number {
    const ceiling = Math.min(this.opts.maxMs, this.opts.baseMs * 2 ** this.attempt);
    if (ceiling < this.opts.maxMs) this.attempt++;
    return Math.floor(this.opts.random() * ceiling);
  }

  /** Starts again from the base ceiling (after a success). */
  reset(): void {
    this.attempt = 0;
  }
}
