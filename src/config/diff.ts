/** What changed between two configs, and which changes a running agent can take live. */
import type { AgentConfig } from './load.js';
import { settings, type SectionName } from './schema.js';
import { formatHostPort } from './values.js';

export interface ConfigChange {
  readonly name: string;
  readonly section: SectionName | 'nodes';
  readonly key: string;
  /** Old and new values as the file spells them; secrets are `<redacted>`. */
  readonly from: string;
  readonly to: string;
  readonly live: boolean;
}

export function diffConfig(before: AgentConfig, after: AgentConfig): ConfigChange[] {
  const changes: ConfigChange[] = [];
  for (const [section, key, s] of settings()) {
    const from = s.type.show((before[section] as Record<string, unknown>)[key]);
    const to = s.type.show((after[section] as Record<string, unknown>)[key]);
    if (from === to) continue;
    const hide = (v: string): string => (s.secret ? (v === '' ? '(none)' : '<redacted>') : v);
    changes.push({ name: `[${section}] ${key}`, section, key, from: hide(from), to: hide(to), live: s.reload === 'live' });
  }
  const seeds = (c: AgentConfig): string => c.nodes.map((n) => `${n.id}=${formatHostPort(n)}`).join(', ');
  if (seeds(before) !== seeds(after)) {
    changes.push({ name: '[nodes]', section: 'nodes', key: '', from: seeds(before), to: seeds(after), live: false });
  }
  return changes;
}

/** `running` with the live changes taken from `next`; everything else stays as it runs. */
export function applyLive(running: AgentConfig, next: AgentConfig, changes: readonly ConfigChange[]): AgentConfig {
  const out = structuredClone(running);
  for (const c of changes) {
    if (!c.live || c.section === 'nodes') continue;
    const target = out[c.section] as Record<string, unknown>;
    target[c.key] = (next[c.section] as Record<string, unknown>)[c.key];
  }
  return out;
}
