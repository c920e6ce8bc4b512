// Promises: read one counter from each member's Prometheus /metrics and sum it
// (all label sets of the metric added up). Throws when a member does not
// answer or lacks the metric, so a wrong name cannot pass silently as 0.
import { request } from './http.mjs';

/** Sum of every sample of metric `name` in Prometheus text; null when absent. */
export function sumMetric(text, name) {
  let sum = null;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const rest = line.slice(name.length);
    if (rest[0] !== ' ' && rest[0] !== '{') continue; // a longer name with this prefix
    const value = Number(rest.slice(rest[0] === '{' ? rest.indexOf('}') + 1 : 0).trim().split(/\s+/)[0]);
    if (Number.isFinite(value)) sum = (sum ?? 0) + value;
  }
  return sum;
}

/** Sum of metric `name` over the members at these base URLs. */
export async function sumOverMembers(urls, name) {
  let total = 0;
  for (const url of urls) {
    const r = await request(undefined, `${url}/metrics`, { timeoutMs: 5000 });
    const v = r.status === 200 ? sumMetric(r.body, name) : null;
    if (v === null) throw new Error(`${url}/metrics: no ${name} (HTTP ${r.status})`);
    total += v;
  }
  return total;
}
