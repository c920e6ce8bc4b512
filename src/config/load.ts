/**
 * Turns cluster.conf text plus command-line overrides into a typed, validated
 * AgentConfig. Every problem is collected and reported at once, each with its
 * place (`cluster.conf:7` or `--port`), the key, the value and what is valid.
 */
import { constants } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { ConfigInvalidError, ConfigUnreadableError } from '../errors.js';
import { exposures } from './exposure.js';
import { clip, parseIni, quote, type IniEntry } from './ini.js';
import { ID_PATTERN, NODES_SECTION, SCHEMA, settingOf, settings, type SectionName, type SectionValues, type Setting } from './schema.js';
import { didYouMean } from './suggest.js';
import { formatHostPort, parseHostPort, type HostPort } from './values.js';

/** A seed agent from `[nodes]`: GoCluster's `node001 = "node001.example.com:7946"`. */
export interface Seed extends HostPort {
  readonly id: string;
}

export type AgentConfig = { [S in SectionName]: SectionValues<S> } & { nodes: Seed[] };

/** A setting given on the command line; it wins over the file. */
export interface Override {
  readonly flag: string;
  readonly section: SectionName;
  readonly key: string;
  readonly value: string;
}

export interface ConfigInput {
  /** The config file: its path as the user wrote it, and its text. Absent: defaults only. */
  readonly file?: { readonly path: string; readonly text: string };
  readonly overrides?: readonly Override[];
  /** This host's name; its first label is the default `[agent] id`. */
  readonly hostname: string;
}

/** A valid config and what is worth fixing in it all the same, each warning with its place: `cluster.conf:3: ...`. */
export interface CheckedConfig {
  readonly config: AgentConfig;
  readonly warnings: readonly string[];
}

/** Reads the file (when a path is given) and builds the config. */
export async function loadConfig(path: string | undefined, input: Omit<ConfigInput, 'file'>): Promise<AgentConfig> {
  return (await checkConfigFile(path, input)).config;
}

/** Reads the file (when a path is given) and checks it: the config and its warnings. */
export async function checkConfigFile(path: string | undefined, input: Omit<ConfigInput, 'file'>): Promise<CheckedConfig> {
  if (path === undefined) return checkConfig(input);
  return checkConfig({ ...input, file: { path, text: await readConfigFile(path) } });
}

/** Largest config file read; anything bigger is surely not a cluster.conf. */
export const MAX_CONFIG_BYTES = 1024 * 1024;

async function readConfigFile(path: string): Promise<string> {
  let handle: FileHandle | undefined;
  try {
    handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
    const stat = await handle.stat();
    if (!stat.isFile()) throw new ConfigUnreadableError(`cannot read config file ${path}: ${stat.isDirectory() ? 'is a directory' : 'not a regular file'}`);
    const buffer = Buffer.alloc(MAX_CONFIG_BYTES + 1);
    let size = 0;
    for (let n = -1; n !== 0 && size < buffer.length; size += n) {
      n = (await handle.read(buffer, size, buffer.length - size)).bytesRead;
    }
    if (size > MAX_CONFIG_BYTES) throw new ConfigUnreadableError(`cannot read config file ${path}: larger than 1 MiB`);
    return buffer.toString('utf8', 0, size);
  } catch (e) {
    if (e instanceof ConfigUnreadableError) throw e;
    const err = e as NodeJS.ErrnoException;
    const why = err.code === 'ENOENT' ? 'no such file' : err.code === 'EACCES' ? 'permission denied' : err.message;
    throw new ConfigUnreadableError(`cannot read config file ${path}: ${why}`);
  } finally {
    await handle?.close();
  }
}

export function defaultConfig(): AgentConfig {
  const config: Record<string, Record<string, unknown>> = {};
  for (const [section, key, s] of settings()) (config[section] ??= {})[key] = s.default;
  return { ...(config as { [S in SectionName]: SectionValues<S> }), nodes: [] };
}

type Where = { readonly line: number } | { readonly flag: string };

/** Builds the config; throws ConfigInvalidError listing every problem. */
export function buildConfig(input: ConfigInput): AgentConfig {
  return checkConfig(input).config;
}

/** Builds the config and lists its warnings; throws ConfigInvalidError listing every problem. */
export function checkConfig(input: ConfigInput): CheckedConfig {
  const file = input.file?.path ?? '';
  const problems: { line: number; text: string }[] = [];
  const place = (w: Where | null): string => (w === null ? file || 'config' : 'line' in w ? `${file}:${w.line}` : w.flag);
  const report = (w: Where | null, text: string, separator = ': '): void => {
    const line = w !== null && 'line' in w ? w.line : Number.MAX_SAFE_INTEGER;
    problems.push({ line, text: `${place(w)}${separator}${text}` });
  };

  const config = defaultConfig();
  const origin = new Map<string, Where>();
  /** Values as the user wrote them, by `section.key`, so that messages echo `1s`, not `1000ms`. */
  const written = new Map<string, string>();
  const values = config as unknown as Record<string, Record<string, unknown>>;

  const apply = (section: SectionName, key: string, s: Setting<unknown>, raw: string, where: Where): void => {
    try {
      (values[section] as Record<string, unknown>)[key] = s.type.parse(raw);
      origin.set(`${section}.${key}`, where);
      written.set(`${section}.${key}`, raw.trim());
    } catch (e) {
      const message = (e as Error).message;
      if ('flag' in where) report(where, `${s.secret ? '<redacted>' : quote(raw)}: ${message}`, ' ');
      else report(where, `[${section}] ${key} = ${s.secret ? '<redacted>' : clip(raw)}: ${message}`);
    }
  };

  const doc = input.file ? parseIni(input.file.text) : { sections: [], entries: [], problems: [] };
  for (const p of doc.problems) report({ line: p.line }, p.message);
  const knownSections = [...Object.keys(SCHEMA), NODES_SECTION];
  for (const s of doc.sections) {
    if (knownSections.includes(s.name)) continue;
    const hint = didYouMean(s.name, knownSections);
    report({ line: s.line }, `[${clip(s.name)}]: unknown section${hint ? `; did you mean [${hint}]?` : `; sections are ${knownSections.map((k) => `[${k}]`).join(' ')}`}`);
  }

  const firstLine = new Map<string, number>();
  const seedEntries: IniEntry[] = [];
  for (const e of doc.entries) {
    const where = { line: e.line };
    if (e.section === null) {
      const home = sectionOf(e.key);
      report(where, `${clip(e.key)} is outside any section${home ? `; it belongs under [${home}]` : ''}`);
      continue;
    }
    if (!knownSections.includes(e.section)) continue;
    const id = `${e.section}.${e.key}`;
    const first = firstLine.get(id);
    if (first !== undefined) {
      report(where, `[${e.section}] ${clip(e.key)} is set twice (first at line ${first})`);
      continue;
    }
    firstLine.set(id, e.line);
    if (e.section === NODES_SECTION) {
      seedEntries.push(e);
      continue;
    }
    const section = e.section as SectionName;
    const s = settingOf(section, e.key);
    if (s === undefined) {
      report(where, `[${section}] ${clip(e.key)}: unknown key; ${unknownKeyHint(section, e.key)}`);
      continue;
    }
    apply(section, e.key, s, e.value, where);
  }

  for (const o of input.overrides ?? []) {
    const s = settingOf(o.section, o.key);
    if (s === undefined) throw new Error(`no setting [${o.section}] ${o.key} for ${o.flag}`);
    apply(o.section, o.key, s, o.value, { flag: o.flag });
  }

  for (const e of seedEntries) {
    const where = { line: e.line };
    if (!ID_PATTERN.test(e.key)) {
      report(where, `[nodes] ${clip(e.key)}: a node ID must be 1-64 letters, digits, dot, dash or underscore`);
      continue;
    }
    try {
      config.nodes.push({ id: e.key, ...parseHostPort(e.value, { defaultPort: config.agent.port }) });
    } catch (err) {
      report(where, `[nodes] ${e.key} = ${clip(e.value)}: ${(err as Error).message}`);
    }
  }

  if (config.agent.id === '') {
    const fromHost = input.hostname.split('.')[0] ?? '';
    if (ID_PATTERN.test(fromHost)) config.agent.id = fromHost;
    else report(null, `the host name ${JSON.stringify(input.hostname)} is not a valid agent ID; set [agent] id`);
  }

  const shown = (key: string): string => {
    const [section, name] = key.split('.') as [SectionName, string];
    const s = settingOf(section, name);
    return written.get(key) ?? (s ? s.type.show((values[section] as Record<string, unknown>)[name]) : '');
  };
  for (const problem of crossChecks(config, shown)) {
    report(origin.get(problem.key) ?? null, problem.text);
  }

  if (problems.length > 0) {
    problems.sort((a, b) => a.line - b.line);
    throw new ConfigInvalidError(problems.map((p) => p.text));
  }
  const nodesLine = doc.sections.find((s) => s.name === NODES_SECTION)?.line;
  const warnings = [
    ...(config.nodes.length > 0 && !config.nodes.some((n) => n.id === config.agent.id)
      ? [`${place(nodesLine === undefined ? null : { line: nodesLine })}: [nodes] lists ${config.nodes.length} agent${config.nodes.length === 1 ? '' : 's'} but not this one (${config.agent.id}): check [agent] id, or add this agent to [nodes] on every agent`]
      : []),
    ...exposures(config).map((e) => `${place(origin.get(e.key) ?? null)}: ${e.text}`),
  ];
  return { config, warnings };
}

function sectionOf(key: string): SectionName | undefined {
  for (const [section, k] of settings()) if (k === key) return section;
  return undefined;
}

function unknownKeyHint(section: SectionName, key: string): string {
  const keys = Object.keys(SCHEMA[section]);
  const hint = didYouMean(key, keys);
  if (hint) return `did you mean ${hint}?`;
  const home = sectionOf(key);
  if (home) return `${key} belongs under [${home}]`;
  return `[${section}] takes ${keys.join(', ')}`;
}

/** The value of `section.key` as the user wrote it, or as the docs write its default. */
type Shown = (key: string) => string;

/** Rules between settings; each problem names the key whose place is reported. */
function crossChecks(config: AgentConfig, shown: Shown): { key: string; text: string }[] {
  const out: { key: string; text: string }[] = [];
  const { cluster, agent } = config;
  if (cluster.expect !== 0 && cluster.expect < config.nodes.length) {
    out.push({
      key: 'cluster.expect',
      text: `[cluster] expect = ${cluster.expect}: must be 0 or at least the ${config.nodes.length} agents listed in [nodes]`,
    });
  }
  if (cluster.encrypt_keys.length > 0 && cluster.encrypt_key === '') {
    out.push({ key: 'cluster.encrypt_keys', text: '[cluster] encrypt_keys: needs [cluster] encrypt_key, the key that seals; encrypt_keys only open' });
  }
  const gossip = { host: agent.bind_address, port: agent.port };
  if (agent.web !== null && agent.web.port !== 0 && overlaps(agent.web, gossip)) {
    out.push({
      key: 'agent.web',
      text: `[agent] web = ${formatHostPort(agent.web)}: its TCP port is the gossip port ([agent] port = ${agent.port})`,
    });
  }
  out.push(...raftChecks(config, shown));
  return out;
}

function raftChecks(config: AgentConfig, shown: Shown): { key: string; text: string }[] {
  const out: { key: string; text: string }[] = [];
  const { raft, agent } = config;
  if (raft.heartbeat_interval >= raft.election_timeout) {
    out.push({
      key: 'raft.heartbeat_interval',
      text: `[raft] heartbeat_interval = ${shown('raft.heartbeat_interval')}: must be less than election_timeout (${shown('raft.election_timeout')})`,
    });
  }
  if (raft.peers.length > 0 && !raft.peers.some((p) => p.id === agent.id)) {
    out.push({ key: 'raft.peers', text: `[raft] peers: must list this agent (${agent.id}) with its own address` });
  }
  const listen = raft.listen;
  if (!agent.roles.includes('raft') || listen.port === 0) return out;
  const listeners: [string, HostPort | null][] = [
    ['[agent] web', agent.web],
    [`[agent] port = ${agent.port}`, { host: agent.bind_address, port: agent.port }],
  ];
  for (const [name, other] of listeners) {
    if (other !== null && overlaps(listen, other)) {
      out.push({ key: 'raft.listen', text: `[raft] listen = ${formatHostPort(listen)}: its TCP port is also ${name}'s` });
    }
  }
  return out;
}

/** Whether two TCP listeners would compete for the same port. */
function overlaps(a: HostPort, b: HostPort): boolean {
  const wildcard = (h: string): boolean => h === '0.0.0.0' || h === '::';
  return a.port === b.port && (a.host === b.host || wildcard(a.host) || wildcard(b.host));
}
