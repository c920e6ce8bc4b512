/**
 * One agent's Prometheus metrics, in its own registry: Node and process
 * metrics (event-loop lag included) and the dinc families, all computed when
 * scraped, the dinc ones from one fresh status snapshot per scrape. The text
 * passes `promtool check metrics` with no lint.
 */
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { Family, ScrapeInput } from './metric-family.js';
import { FAMILIES } from './metrics-families.js';

/**
 * prom-client's default gauges whose names end in `_total`, which Prometheus
 * keeps for counters. Each has a labelled twin without the suffix
 * (`nodejs_active_handles{type}` and so on) whose sum is the same number.
 */
const MISNAMED_DEFAULTS = ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total'];

export class AgentMetrics {
  private readonly registry = new Registry();
  private input: ScrapeInput | undefined;

  /** `take` reads what the dinc families show, once per scrape. */
  constructor(private readonly take: () => ScrapeInput) {
    collectDefaultMetrics({ register: this.registry });
    for (const name of MISNAMED_DEFAULTS) this.registry.removeSingleMetric(name);
    for (const family of FAMILIES) this.add(family);
  }

  /** The content type of `scrape`'s text (Prometheus text format 0.0.4). */
  get contentType(): string {
    return this.registry.contentType;
  }

  /** Every metric as of now, in the Prometheus text format. */
  scrape(): Promise<string> {
    this.input = this.take();
    return this.registry.metrics();
  }

  /**
   * Registers `family`; at each scrape its series are replaced by what it reads, so gone label sets
   * disappear, and a family that reads nothing has no sample (not even the 0 that prom-client
   * gives a metric without labels).
   */
  private add(family: Family): void {
    const samples = () => (this.input ? family.read(this.input) : []);
    const config = { name: family.name, help: family.help, labelNames: family.labels, registers: [this.registry] };
    if (family.type === 'counter') {
      new Counter({
        ...config,
        collect() {
          this.reset();
          const read = samples();
          if (read.length === 0) this.remove({});
          for (const [labels, value] of read) this.inc(labels, value);
        },
      });
    } else {
      new Gauge({
        ...config,
        collect() {
          this.reset();
          const read = samples();
          if (read.length === 0) this.remove({});
          for (const [labels, value] of read) this.set(labels, value);
        },
      });
    }
  }
}
