/** `GET /metrics`: the agent's metrics in the Prometheus text format. */
import type { AgentMetrics } from '../ops/metrics.js';
import type { Routes } from './http.js';

export function metricsRoutes(metrics: AgentMetrics): Routes {
  return new Map([
    [
      '/metrics',
      {
        GET: async (_req, res) => {
          const text = await metrics.scrape();
          res.writeHead(200, { 'content-type': metrics.contentType, 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store' });
          res.end(text);
        },
      },
    ],
  ]);
}
