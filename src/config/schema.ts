/**
 * Every cluster.conf setting, in one table: its type, default, unit, meaning,
 * whether SIGHUP can apply it live, and the command-line flag that overrides
 * it. The loader, the CLI's flags and docs/configuration.md all come from
 * this table.
 */
import { LOG_LEVELS } from '../ops/log.js';
import { AVAILABLE_ROLES, ROLE_NAMES } from './roles.js';
import { PROFILE_NAMES } from '../core/membership/config.js';
import {
  boolean,
  duration,
  encryptionKey,
  encryptionKeys,
  integer,
  ipAddress,
  listOf,
  listenAddress,
  multicastGroup,
  oneOf,
  peerList,
  port,
  string,
  type ValueType,
} from './values.js';

export interface Setting<T> {
  readonly type: ValueType<T>;
  readonly default: NoInfer<T>;
  /** One line on what it does, for docs and `--help`. */
  readonly doc: string;
  /** `live`: a SIGHUP reload applies it; `restart`: a change waits for a restart. */
  readonly reload: 'live' | 'restart';
  /** The command-line flag that overrides it, with its value's name: `--port <port>`. */
  readonly flag?: string;
  /** Never printed: logs and docs show `<redacted>`. */
  readonly secret?: boolean;
}

const setting = <T>(s: Setting<T>): Setting<T> => s;

export const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const ID_RULE = '1-64 letters, digits, dot, dash or underscore, starting with a letter or digit';

/** A role's section; its listener's default port is the one its seed project used. */
function roleSection(defaultPort: number, doc: string) {
  return {
    listen: setting({
      type: listenAddress({ allowOff: false }),
      default: { host: '0.0.0.0', port: defaultPort },
      doc,
      reload: 'restart',
    }),
  };
}

export const SCHEMA = {
  cluster: {
    name: setting({
      type: string({ pattern: ID_PATTERN, rule: ID_RULE, allowEmpty: false }),
      default: 'dinc',
      doc: 'Name of the cluster. Agents of another cluster ignore each other; it is bound into every encrypted packet.',
      reload: 'restart',
    }),
    discovery_port: setting({
      type: port(),
      default: 7946,
      doc: 'UDP port of multicast discovery announcements.',
      reload: 'restart',
    }),
    multicast_group: setting({
      type: multicastGroup(),
      default: '239.192.79.46',
      doc: 'Multicast group that discovery announcements are sent to (IPv4 or IPv6).',
      reload: 'restart',
    }),
    multicast_ttl: setting({
      type: integer(1, 255),
      default: 1,
      doc: 'IP TTL of multicast announcements: 1 keeps them on the local network segment.',
      reload: 'restart',
    }),
    multicast_interface: setting({
      type: ipAddress({ allowEmpty: true }),
      default: '',
      doc: 'Address of the interface that sends and joins multicast. Empty: [agent] bind_address when it is a specific IPv4 address (127.0.0.1 keeps discovery on this host), else the default route\'s interface.',
      reload: 'restart',
    }),
    encrypt_key: setting({
      type: encryptionKey(),
      default: '',
      doc: 'AES-256-GCM key (base64, 32 bytes) that seals every packet, discovery included. Empty: packets are not encrypted. Make one with `dinc-agent keygen`.',
      reload: 'live',
      secret: true,
    }),
    encrypt_keys: setting({
      type: encryptionKeys(),
      default: [],
      doc: 'Further keys that still open packets during a key rotation (encrypt_key seals). Rotate: add the new key here everywhere, make it encrypt_key everywhere, then drop the old one; SIGHUP applies each step.',
      reload: 'live',
      secret: true,
    }),
    replay_window: setting({
      type: duration(1000, 600_000),
      default: 30_000,
      doc: "With encrypt_key: an encrypted packet whose sender's clock differs from this agent's by more than this is dropped as stale, and a repeat of a packet within it as a replay. Hosts' clocks must agree within it (NTP keeps them within milliseconds); a larger window tolerates more skew and lets a captured packet be tried for longer (it is still accepted only once). 1s-10m, default 30s.",
      reload: 'live',
    }),
    expect: setting({
      type: integer(0, 10_000),
      default: 0,
      doc: 'Number of agents the cluster should have; a leader needs a majority of it. 0: the number of [nodes] entries; with neither, every agent is its own quorum.',
      reload: 'restart',
    }),
    leader_preempt: setting({
      type: boolean(),
      default: true,
      doc: 'Whether a returning agent with a lower ID takes the leadership back (GoCluster does). false: a live leader keeps it.',
      reload: 'live',
    }),
  },
  gossip: {
    profile: setting({
      type: oneOf(PROFILE_NAMES),
      default: 'lan',
      doc: 'Timing profile of failure detection and gossip: lan, local (one host, fast network) or wan. The profiles are tabled below.',
      reload: 'restart',
    }),
  },
  agent: {
    id: setting({
      type: string({ pattern: ID_PATTERN, rule: ID_RULE }),
      default: '',
      doc: "This agent's unique ID. Empty: the host name up to its first dot. IDs compare in natural order (node2 < node10).",
      reload: 'restart',
      flag: '--id <id>',
    }),
    bind_address: setting({
      type: ipAddress({ allowEmpty: false }),
      default: '0.0.0.0',
      doc: 'Address the gossip listener binds (UDP and TCP).',
      reload: 'restart',
      flag: '--bind-address <ip>',
    }),
    port: setting({
      type: port(),
      default: 7946,
      doc: 'Gossip port (UDP and TCP).',
      reload: 'restart',
      flag: '--port <port>',
    }),
    advertise_address: setting({
      type: ipAddress({ allowEmpty: true }),
      default: '',
      doc: 'Address other agents use to reach this one. Empty: bind_address, or the first non-loopback address when that is 0.0.0.0 or ::.',
      reload: 'restart',
    }),
    web: setting({
      type: listenAddress({ allowOff: true }),
      default: { host: '127.0.0.1', port: 8080 },
      doc: 'Listener of the HTTP API (`/health`); `off` disables it, port 0 picks a free port.',
      reload: 'restart',
      flag: '--web <host:port|off>',
    }),
    data_dir: setting({
      type: string({ allowEmpty: false, pattern: /^[^\0]+$/, rule: 'a directory path' }),
      default: './data',
      doc: 'Directory for state kept across restarts; created (mode 0700) if missing. Relative paths start at the working directory.',
      reload: 'restart',
      flag: '--data-dir <dir>',
    }),
    roles: setting({
      type: listOf(() => AVAILABLE_ROLES),
      default: [],
      doc: `Comma-separated roles this agent runs on top of membership. This build runs ${AVAILABLE_ROLES.join(', ')}; ${ROLE_NAMES.filter((r) => !AVAILABLE_ROLES.includes(r)).join(', ')} are coming, and refused until then.`,
      reload: 'restart',
      flag: '--roles <list>',
    }),
    log_level: setting({
      type: oneOf(LOG_LEVELS),
      default: 'info',
      doc: 'Lowest level of log lines written.',
      reload: 'live',
      flag: '--log-level <level>',
    }),
    log_format: setting({
      type: oneOf(['auto', 'text', 'json']),
      default: 'auto',
      doc: 'Log line format: text for people, JSON lines for machines; auto picks text on a terminal, JSON otherwise.',
      reload: 'live',
      flag: '--log-format <format>',
    }),
    api_token: setting({
      type: string({ pattern: /^[\x21-\x7e]{16,}$/, rule: 'at least 16 printable characters without spaces' }),
      default: '',
      doc: 'Bearer token (`Authorization: Bearer <token>`) that every HTTP request changing state needs, on every listener (any method but GET, HEAD and OPTIONS), and the log stream `/v1/monitor` always. Empty: no token is required.',
      reload: 'live',
      secret: true,
    }),
    api_token_reads: setting({
      type: boolean(),
      default: false,
      doc: 'With api_token set, whether reads need the token too (status, members, metrics, keys, the status stream; the web UI page then cannot load its data). `/health` and `/ready` stay open for probes.',
      reload: 'live',
    }),
    stop_timeout: setting({
      type: duration(1000, 300_000),
      default: 5000,
      doc: 'How long a graceful stop (SIGTERM, SIGINT) may take; at 80% of it, requests still in flight are cut off, and at 100% the agent exits anyway.',
      reload: 'live',
    }),
  },
  registry: roleSection(8000, 'HTTP listener of the registry role.'),
  node: roleSection(8081, 'HTTP listener of the node (worker) role.'),
  balancer: roleSection(5000, 'HTTP listener of the load balancer role.'),
  raft: {
    listen: setting({
      type: listenAddress({ allowOff: false }),
      default: { host: '0.0.0.0', port: 5001 },
      doc: "Listener of the Raft role: its HTTP API and the other members' Raft traffic share this port.",
      reload: 'restart',
      flag: '--raft-listen <host:port>',
    }),
    data_dir: setting({
      type: string({ allowEmpty: true, pattern: /^[^\0]+$/, rule: 'a directory path' }),
      default: '',
      doc: 'Directory of the Raft log and snapshots; one agent per directory. Empty: `raft` inside [agent] data_dir.',
      reload: 'restart',
    }),
    peers: setting({
      type: peerList(ID_PATTERN, ID_RULE),
      default: [],
      doc: 'The group to form on first start, this agent included: `node1=10.0.0.1:5001, node2=10.0.0.2:5001, ...` (IDs are [agent] id). Empty: use bootstrap_expect.',
      reload: 'restart',
      flag: '--raft-peers <list>',
    }),
    bootstrap_expect: setting({
      type: integer(0, 9),
      default: 1,
      doc: 'Without peers: form the group on first start once this many raft-role agents (this one included) are alive in gossip; the voters are the lowest IDs. 1: a lone agent forms a group of one. 0: join an existing group; wait to be added with `dinc-agent raft add`.',
      reload: 'restart',
      flag: '--bootstrap-expect <n>',
    }),
    election_timeout: setting({
      type: duration(20, 60_000),
      default: 150,
      doc: 'A follower that hears no leader for a random time between this and twice this starts an election.',
      reload: 'restart',
    }),
    heartbeat_interval: setting({
      type: duration(5, 10_000),
      default: 50,
      doc: "The leader's heartbeat interval; less than election_timeout.",
      reload: 'restart',
    }),
    snapshot_threshold: setting({
      type: integer(16, 100_000_000),
      default: 8192,
      doc: 'Applied log entries between two snapshots of the key/value store (and at least half the last snapshot\'s size in commands); the log before a snapshot is deleted.',
      reload: 'restart',
    }),
    token: setting({
      type: string({ pattern: /^[\x21-\x7e]{16,}$/, rule: 'at least 16 printable characters without spaces' }),
      default: '',
      doc: "Shared secret that authenticates Raft traffic between members. Empty: [cluster] encrypt_key's, if set; else members are not authenticated.",
      reload: 'restart',
      secret: true,
    }),
  },
} as const;

export type Schema = typeof SCHEMA;
export type SectionName = keyof Schema;
type ValueOf<S> = S extends Setting<infer T> ? T : never;
export type SectionValues<S extends SectionName> = { -readonly [K in keyof Schema[S]]: ValueOf<Schema[S][K]> };

/** The `[nodes]` section: seed agents as `id = "host:port"`. */
export const NODES_SECTION = 'nodes';

/** The setting `[section] key`, or undefined when there is none (inherited names such as `constructor` included). */
export function settingOf(section: SectionName, key: string): Setting<unknown> | undefined {
  const keys: Record<string, Setting<unknown>> = SCHEMA[section];
  return Object.hasOwn(keys, key) ? keys[key] : undefined;
}

/** Iterates the table as (section, key, setting) rows, in declaration order. */
export function* settings(): Generator<[SectionName, string, Setting<unknown>]> {
  for (const [section, keys] of Object.entries(SCHEMA)) {
    for (const [key, s] of Object.entries(keys)) yield [section as SectionName, key, s];
  }
}
