/** Renders docs/configuration.md from the schema, so the reference cannot drift from the code. */
import { PROFILES, PROFILE_NAMES, type MembershipConfig, type ProfileName } from '../core/membership/config.js';
import { AVAILABLE_ROLES, ROLE_NAMES } from './roles.js';
import { formatDuration } from './units.js';
import { NODES_SECTION, SCHEMA, type SectionName, type Setting } from './schema.js';

const SECTION_INTRO: Record<SectionName, string> = {
  cluster: 'What every agent of one cluster must agree on: its name, discovery, encryption, quorum.',
  gossip: 'How fast members are probed and failures declared (SWIM with Lifeguard; see docs/protocol.md).',
  agent: 'This agent: identity, listeners, storage, logging. `api_token` guards every state-changing HTTP request (and, with `api_token_reads`, reads).',
  registry: 'The registry role (service registry with TTL heartbeats).',
  node: 'The node role (worker that sheds load to its best peer).',
  balancer: 'The balancer role (proxy to the workers).',
  raft: 'The Raft role: a replicated, durable key/value store kept by a Raft group of agents (see docs/raft.md). Locks and queues come later; this build has the key/value store only. Run it with `dinc-agent raft` or `roles = raft`.',
};

function row(key: string, s: Setting<unknown>): string {
  const def = s.type.show(s.default);
  const cells = [
    `\`${key}\``,
    s.type.name.replaceAll('|', '\\|'),
    def === '' ? '(empty)' : `\`${def}\``,
    s.reload,
    s.flag ? `\`${s.flag.replaceAll('|', '\\|')}\`` : '',
    s.doc.replaceAll('|', '\\|'),
  ];
  return `| ${cells.join(' | ')} |`;
}

/** The profiles' numbers, one column each. */
function profileTable(): string[] {
  const rows: [string, keyof MembershipConfig, string][] = [
    ['probe interval', 'probeIntervalMs', 'ms'],
    ['probe timeout (then indirect probes)', 'probeTimeoutMs', 'ms'],
    ['indirect probes (k)', 'indirectChecks', ''],
    ['suspicion multiplier: timeout >= mult * max(1, log10 N) * probe interval', 'suspicionMult', ''],
    ['suspicion timeout starts at this many times the minimum', 'suspicionMaxTimeoutMult', ''],
    ['retransmits: mult * ceil(log10(N+1))', 'retransmitMult', ''],
    ['gossip interval', 'gossipIntervalMs', 'ms'],
    ['gossip fan-out', 'gossipNodes', ''],
    ['gossip to the dead for', 'gossipToTheDeadMs', 'ms'],
    ['push-pull interval (stretched above 32 members)', 'pushPullIntervalMs', 'ms'],
    ['reconnect to a dead member every', 'reconnectIntervalMs', 'ms'],
    ['forget dead and left members after', 'reapMs', 'ms'],
    ['Lifeguard health multiplier, at most', 'awarenessMaxMultiplier', ''],
    ['multicast announce interval, first / at most', 'announceIntervalMs', 'ms'],
    ['UDP payload, at most', 'maxPacketBytes', 'bytes'],
  ];
  const cell = (name: ProfileName, key: keyof MembershipConfig, unit: string): string => {
    const v = PROFILES[name][key];
    const shown = unit === 'ms' ? formatDuration(v) : `${v}${unit ? ` ${unit}` : ''}`;
    return key === 'announceIntervalMs' ? `${shown} / ${formatDuration(PROFILES[name].announceMaxIntervalMs)}` : shown;
  };
  return [
    '| profile setting | lan | local | wan |',
    '|---|---|---|---|',
    ...rows.map(([label, key, unit]) => `| ${label} | ${PROFILE_NAMES.map((p) => cell(p, key, unit)).join(' | ')} |`),
    '',
  ];
}

export function renderConfigDocs(): string {
  const out: string[] = [
    '# Configuration reference',
    '',
    '<!-- Generated from src/config/schema.ts by `make docs`; a test fails when this file is stale. -->',
    '',
    '`cluster.conf` is an INI file. Sections are `[name]`; settings are `key = value`. Values may be',
    'quoted (`"..."` with `\\"` and `\\\\` escapes, or `\'...\'` verbatim). Comments start with `#` or `;`,',
    'on their own line or after whitespace at the end of a line. Durations take units (`500ms`, `2s`,',
    '`1m30s`; units ms, s, m, h, d); sizes too (`512`, `64KiB`, `1MB`).',
    '',
    'Unknown sections and keys are errors (with a did-you-mean), and so is a key set twice. Every',
    'problem is reported at once as `file:line: [section] key = value: what is valid`, and the agent',
    'exits with code 2. Check a file without starting anything: `dinc-agent config validate cluster.conf`;',
    'it also warns about what is valid but unwise (a listener beyond loopback without authentication, a',
    '`[nodes]` list without this agent), and `--strict` fails on those warnings too. The agent logs the',
    'same warnings at start.',
    '',
    'Command-line flags override the file. GoCluster\'s single-dash spelling works too',
    '(`dinc-agent -config cluster.conf -bind-address 0.0.0.0 -port 7946 -web 0.0.0.0:8080`).',
    '',
    '**Reload** tells what `SIGHUP` does with a changed value: `live` applies it at once; `restart`',
    'logs that the change waits for a restart. A file that no longer validates is rejected whole and',
    'the running config stays in force.',
    '',
  ];
  for (const [section, keys] of Object.entries(SCHEMA) as [SectionName, Record<string, Setting<unknown>>][]) {
    out.push(`## [${section}]`, '', SECTION_INTRO[section]);
    if ((ROLE_NAMES as readonly string[]).includes(section) && !(AVAILABLE_ROLES as readonly string[]).includes(section)) {
      out.push('This role is coming; it is not in this build. The section is read and checked, but nothing runs it yet, and `[agent] roles` refuses it.');
    }
    out.push('', '| key | type | default | reload | flag | meaning |', '|---|---|---|---|---|---|');
    for (const [key, s] of Object.entries(keys)) out.push(row(key, s));
    out.push('');
    if (section === 'gossip') out.push(...profileTable());
    if (section === 'cluster') {
      out.push(
        `## [${NODES_SECTION}]`,
        '',
        'Seed agents to join, one per line, in GoCluster\'s form: `node001 = "node001.example.com:7946"`.',
        'The key is the agent\'s ID; the value is `host:port` (`[v6]:port` for IPv6), and a missing port',
        'means this agent\'s own `[agent] port`. Host names are resolved on every attempt.',
        '',
      );
    }
  }
  return `${out.join('\n').trimEnd()}\n`;
}
