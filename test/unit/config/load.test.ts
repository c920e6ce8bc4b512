import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildFromText, problemsOf } from '../../support/config-build.js';
import { buildConfig, defaultConfig, loadConfig, type Override } from '../../../src/config/load.js';
import { ConfigInvalidError, ConfigUnreadableError } from '../../../src/errors.js';

const hostname = 'node001.example.com';
const KEY = Buffer.alloc(32, 7).toString('base64');
const KEY2 = Buffer.alloc(32, 8).toString('base64');

const build = (text: string, overrides: Override[] = []) => buildFromText(text, { hostname, overrides });
const problems = (text: string, overrides: Override[] = []) => problemsOf(text, { hostname, overrides });

describe("GoCluster's cluster.conf", () => {
  it('loads unchanged, with its seeds in [nodes]', () => {
    const text = readFileSync(new URL('../../fixtures/gocluster.conf', import.meta.url), 'utf8');
    const config = buildConfig({ file: { path: 'gocluster.conf', text }, hostname });
    expect(config.cluster.name).toBe('proxy');
    expect(config.cluster.discovery_port).toBe(7946);
    expect(config.nodes).toEqual([
      { id: 'node001', host: 'node001.devcoffee.me', port: 7946 },
      { id: 'node002', host: 'node002.devcoffee.me', port: 7946 },
      { id: 'node003', host: 'node003.devcoffee.me', port: 7946 },
    ]);
    expect(config.agent.id).toBe('node001');
  });

  it('takes # and ; comments and quoted values anywhere', () => {
    const config = build(`; top comment
# another
[cluster]
name = "proxy"   # quoted
discovery_port = 7946 ; trailing
[agent]
id = 'edge-1'
web = "0.0.0.0:9090"
`);
    expect(config.cluster.name).toBe('proxy');
    expect(config.agent.id).toBe('edge-1');
    expect(config.agent.web).toEqual({ host: '0.0.0.0', port: 9090 });
  });
});

describe('defaults', () => {
  it('with no file the agent is a cluster of one named after the host', () => {
    const config = buildConfig({ hostname: 'web-7.dc1.example.com' });
    expect(config).toEqual({ ...defaultConfig(), agent: { ...defaultConfig().agent, id: 'web-7' } });
    expect(config.nodes).toEqual([]);
    expect(config.cluster.expect).toBe(0);
    expect(config.agent.web).toEqual({ host: '127.0.0.1', port: 8080 });
    expect(config.agent.stop_timeout).toBe(5000);
  });

  it('an empty file is the defaults', () => {
    expect(build('')).toEqual(buildConfig({ hostname }));
  });

  it('a host name that is no valid ID asks for [agent] id', () => {
    expect(() => buildConfig({ hostname: '-bad' })).toThrow(/host name "-bad" is not a valid agent ID; set \[agent\] id/);
  });
});

describe('every setting type', () => {
  it('parses each value into its typed form', () => {
    const config = build(`[cluster]
name = prod.eu-1
discovery_port = 7000
multicast_group = ff02::1234
multicast_ttl = 4
multicast_interface = 10.1.2.3
encrypt_key = ${KEY}
encrypt_keys = ${KEY2}
replay_window = 45s
expect = 5
leader_preempt = no
[gossip]
profile = WAN
[agent]
id = node10
bind_address = ::
port = 7001
advertise_address = 10.1.2.3
web = [::1]:0
data_dir = /var/lib/dinc-agent
roles =
log_level = DEBUG
log_format = json
api_token = 0123456789abcdef0123
stop_timeout = 1m30s
[raft]
listen = 127.0.0.1:6001
[nodes]
a = "10.0.0.1"
b = "[fe80::1]:7002"
`);
    expect(config.cluster).toEqual({
      name: 'prod.eu-1',
      discovery_port: 7000,
      multicast_group: 'ff02::1234',
      multicast_ttl: 4,
      multicast_interface: '10.1.2.3',
      encrypt_key: KEY,
      encrypt_keys: [KEY2],
      replay_window: 45_000,
      expect: 5,
      leader_preempt: false,
    });
    expect(config.gossip.profile).toBe('wan');
    expect(config.agent).toMatchObject({
      id: 'node10',
      bind_address: '::',
      port: 7001,
      advertise_address: '10.1.2.3',
      web: { host: '::1', port: 0 },
      roles: [],
      log_level: 'debug',
      log_format: 'json',
      stop_timeout: 90_000,
    });
    expect(config.raft.listen).toEqual({ host: '127.0.0.1', port: 6001 });
    expect(config.nodes).toEqual([
      { id: 'a', host: '10.0.0.1', port: 7001 },
      { id: 'b', host: 'fe80::1', port: 7002 },
    ]);
  });

  it('multicast_group = off disables multicast discovery', () => {
    expect(build('[cluster]\nmulticast_group = off\n').cluster.multicast_group).toBe('');
  });

  it.each([
    ['[cluster]\nleader_preempt = maybe', 'cluster.conf:2: [cluster] leader_preempt = maybe: must be true or false (also yes/no, on/off, 1/0)'],
    ['[cluster]\nencrypt_keys = abc', 'cluster.conf:2: [cluster] encrypt_keys = <redacted>: must be 32 bytes in base64 (44 characters); make one with `dinc-agent keygen`'],
    ['[cluster]\nmulticast_ttl = 0', 'cluster.conf:2: [cluster] multicast_ttl = 0: must be a whole number 1-255'],
    ['[gossip]\nprofile = lan2', 'cluster.conf:2: [gossip] profile = lan2: must be one of lan, local, wan'],
  ])('%j', (text, message) => {
    expect(problems(text)).toEqual([message]);
  });

  it('web = off disables the listener', () => {
    expect(build('[agent]\nweb = off\n').agent.web).toBeNull();
  });

  it("Go's :port listens on every IPv4 address", () => {
    expect(build('[agent]\nweb = :8080\n').agent.web).toEqual({ host: '0.0.0.0', port: 8080 });
  });
});

describe('errors name the file, the line, the key and what is valid', () => {
  it('the example of the issue', () => {
    expect(problems('[cluster]\nname = x\n\n\n\n[agent]\nport = 99999\n')).toEqual(['cluster.conf:7: [agent] port = 99999: must be 1-65535']);
  });

  it.each([
    ['[cluster]\nname = -x', 'cluster.conf:2: [cluster] name = -x: must be 1-64 letters, digits, dot, dash or underscore, starting with a letter or digit'],
    ['[cluster]\nname =', 'cluster.conf:2: [cluster] name = : must be 1-64 letters, digits, dot, dash or underscore, starting with a letter or digit'],
    ['[cluster]\ndiscovery_port = 0', 'cluster.conf:2: [cluster] discovery_port = 0: must be 1-65535'],
    ['[cluster]\ndiscovery_port = 80a', 'cluster.conf:2: [cluster] discovery_port = 80a: must be 1-65535'],
    ['[cluster]\nmulticast_group = 10.0.0.1', 'cluster.conf:2: [cluster] multicast_group = 10.0.0.1: must be a multicast address (224.0.0.0-239.255.255.255 or ff00::/8) or off'],
    ['[cluster]\nencrypt_key = abc', 'cluster.conf:2: [cluster] encrypt_key = <redacted>: must be 32 bytes in base64 (44 characters); make one with `dinc-agent keygen`'],
    ['[cluster]\nexpect = -1', 'cluster.conf:2: [cluster] expect = -1: must be a whole number 0-10000'],
    ['[cluster]\nexpect = 2.5', 'cluster.conf:2: [cluster] expect = 2.5: must be a whole number 0-10000'],
    ['[agent]\nbind_address = localhost', 'cluster.conf:2: [agent] bind_address = localhost: must be an IPv4 or IPv6 address, such as 0.0.0.0 or ::'],
    ['[agent]\nadvertise_address = 1.2.3', 'cluster.conf:2: [agent] advertise_address = 1.2.3: must be an IPv4 or IPv6 address, such as 0.0.0.0 or ::'],
    ['[agent]\nweb = 8080', 'cluster.conf:2: [agent] web = 8080: must be host:port, such as 10.0.0.5:7946 or [::1]:7946'],
    ['[agent]\nweb = example.com:80', 'cluster.conf:2: [agent] web = example.com:80: must listen on an IP address (or localhost), such as 127.0.0.1:8080 or 0.0.0.0:8080'],
    ['[agent]\nweb = ::1:80', 'cluster.conf:2: [agent] web = ::1:80: must be host:port, such as 10.0.0.5:7946 or [::1]:7946 (put an IPv6 address in brackets)'],
    ['[agent]\nweb = 127.0.0.1:70000', 'cluster.conf:2: [agent] web = 127.0.0.1:70000: port must be 0-65535 (0 picks a free port)'],
    ['[agent]\nroles = raft, registry', "cluster.conf:2: [agent] roles = raft, registry: 'registry' is not available: each item must be one of raft"],
    ['[agent]\nlog_level = loud', 'cluster.conf:2: [agent] log_level = loud: must be one of debug, info, warn, error'],
    ['[agent]\nlog_format = xml', 'cluster.conf:2: [agent] log_format = xml: must be one of auto, text, json'],
    ['[agent]\napi_token = short', 'cluster.conf:2: [agent] api_token = <redacted>: must be at least 16 printable characters without spaces'],
    ['[agent]\nstop_timeout = 5', 'cluster.conf:2: [agent] stop_timeout = 5: needs a unit: must be a duration with a unit, such as 500ms, 2s, 1m30s (units: ms, s, m, h, d)'],
    ['[agent]\nstop_timeout = 10m', 'cluster.conf:2: [agent] stop_timeout = 10m: must be 1s-5m'],
    ['[agent]\nid = a/b', 'cluster.conf:2: [agent] id = a/b: must be 1-64 letters, digits, dot, dash or underscore, starting with a letter or digit'],
    ['[registry]\nlisten = off', 'cluster.conf:2: [registry] listen = off: must be host:port, such as 10.0.0.5:7946 or [::1]:7946'],
    ['[nodes]\nn1 = "host:0"', 'cluster.conf:2: [nodes] n1 = host:0: port must be 1-65535'],
    ['[nodes]\nn1 = "bad host"', 'cluster.conf:2: [nodes] n1 = bad host: must be host:port or host, such as 10.0.0.5:7946 or [::1]:7946'],
    ['[nodes]\n_n = "a:1"', 'cluster.conf:2: [nodes] _n: a node ID must be 1-64 letters, digits, dot, dash or underscore'],
  ])('%j', (text, message) => {
    expect(problems(text)).toEqual([message]);
  });

  it('unknown sections and keys get a did-you-mean', () => {
    expect(problems('[agnet]\nid = a\n[agent]\nbind_adress = 0.0.0.0\nweb_port = 1\n[raft]\nweb = 127.0.0.1:1\n')).toEqual([
      'cluster.conf:1: [agnet]: unknown section; did you mean [agent]?',
      'cluster.conf:4: [agent] bind_adress: unknown key; did you mean bind_address?',
      'cluster.conf:5: [agent] web_port: unknown key; [agent] takes id, bind_address, port, advertise_address, web, data_dir, roles, log_level, log_format, api_token, api_token_reads, stop_timeout',
      'cluster.conf:7: [raft] web: unknown key; web belongs under [agent]',
    ]);
  });

  it('inherited object names are unknown keys, not a crash', () => {
    expect(problems('[agent]\nconstructor = 1\n__proto__ = 2\n[cluster]\ntoString = 3\n')).toEqual([
      'cluster.conf:2: [agent] constructor: unknown key; [agent] takes id, bind_address, port, advertise_address, web, data_dir, roles, log_level, log_format, api_token, api_token_reads, stop_timeout',
      'cluster.conf:3: [agent] __proto__: unknown key; [agent] takes id, bind_address, port, advertise_address, web, data_dir, roles, log_level, log_format, api_token, api_token_reads, stop_timeout',
      'cluster.conf:5: [cluster] toString: unknown key; [cluster] takes name, discovery_port, multicast_group, multicast_ttl, multicast_interface, encrypt_key, encrypt_keys, replay_window, expect, leader_preempt',
    ]);
  });

  it('a huge unknown name is cut short in the message and answered at once', () => {
    const name = 'k'.repeat(200_000);
    const [problem] = problems(`[agent]\n${name} = 1\n`);
    expect(problem).toBe(`cluster.conf:2: [agent] "${'k'.repeat(57)}...": unknown key; [agent] takes id, bind_address, port, advertise_address, web, data_dir, roles, log_level, log_format, api_token, api_token_reads, stop_timeout`);
  });

  it('an unknown section with nothing close lists the sections', () => {
    expect(problems('[zzzzzzzz]\n')).toEqual(['cluster.conf:1: [zzzzzzzz]: unknown section; sections are [cluster] [gossip] [agent] [registry] [node] [balancer] [raft] [nodes]']);
  });

  it('a key above every section says where it belongs', () => {
    expect(problems('port = 7946\nwhatever = 1\n')).toEqual([
      'cluster.conf:1: port is outside any section; it belongs under [agent]',
      'cluster.conf:2: whatever is outside any section',
    ]);
  });

  it('a key set twice names the first line, also across repeated sections', () => {
    expect(problems('[agent]\nport = 1\n[cluster]\n[agent]\nport = 2\n[nodes]\na = b\na = c\n')).toEqual([
      'cluster.conf:5: [agent] port is set twice (first at line 2)',
      'cluster.conf:8: [nodes] a is set twice (first at line 7)',
    ]);
  });

  it('syntax errors are reported with the rest, in line order', () => {
    expect(problems('[agent]\nport = 0\nnonsense\n[cluster\nname = "x\n')).toEqual([
      'cluster.conf:2: [agent] port = 0: must be 1-65535',
      'cluster.conf:3: expected "key = value" or "[section]", got "nonsense"',
      'cluster.conf:4: malformed section header "[cluster": expected [name]',
      'cluster.conf:5: name: unterminated double quote',
    ]);
  });

  it('rules between settings point at the key that breaks them', () => {
    expect(problems('[cluster]\nexpect = 2\n[nodes]\na = "h1"\nb = "h2"\nc = "h3"\n')).toEqual([
      'cluster.conf:2: [cluster] expect = 2: must be 0 or at least the 3 agents listed in [nodes]',
    ]);
    expect(problems(`[cluster]\nencrypt_keys = ${KEY}\n`)).toEqual([
      'cluster.conf:2: [cluster] encrypt_keys: needs [cluster] encrypt_key, the key that seals; encrypt_keys only open',
    ]);
    expect(problems('[agent]\nport = 8080\nweb = 0.0.0.0:8080\n')).toEqual([
      'cluster.conf:3: [agent] web = 0.0.0.0:8080: its TCP port is the gossip port ([agent] port = 8080)',
    ]);
    expect(problems('[agent]\nbind_address = 10.0.0.1\nport = 8080\nweb = 127.0.0.1:8080\n')).toEqual([]);
  });
});

describe('flags override the file', () => {
  const flag = (flagName: string, section: Override['section'], key: string, value: string): Override => ({ flag: flagName, section, key, value });

  it('a flag wins over the file and the defaults', () => {
    const config = build('[agent]\nport = 7000\nweb = 127.0.0.1:9000\n', [
      flag('--port', 'agent', 'port', '7100'),
      flag('--bind-address', 'agent', 'bind_address', '127.0.0.1'),
      flag('--log-level', 'agent', 'log_level', 'warn'),
    ]);
    expect(config.agent.port).toBe(7100);
    expect(config.agent.bind_address).toBe('127.0.0.1');
    expect(config.agent.log_level).toBe('warn');
    expect(config.agent.web).toEqual({ host: '127.0.0.1', port: 9000 });
  });

  it('a bad flag is reported by its name, after the file problems', () => {
    expect(problems('[agent]\nport = 0\n', [flag('--web', 'agent', 'web', 'nope'), flag('--log-level', 'agent', 'log_level', '')])).toEqual([
      'cluster.conf:2: [agent] port = 0: must be 1-65535',
      '--web "nope": must be host:port, such as 10.0.0.5:7946 or [::1]:7946',
      '--log-level "": must be one of debug, info, warn, error',
    ]);
  });

  it('a rule broken by a flag points at the flag', () => {
    expect(problems('', [flag('--web', 'agent', 'web', '0.0.0.0:7946')])).toEqual([
      '--web: [agent] web = 0.0.0.0:7946: its TCP port is the gossip port ([agent] port = 7946)',
    ]);
  });

  it('a missing port in [nodes] follows the [agent] port, flag included', () => {
    expect(build('[nodes]\na = "h"\n', [flag('--port', 'agent', 'port', '7100')]).nodes).toEqual([{ id: 'a', host: 'h', port: 7100 }]);
  });
});

describe('reading the file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dinc-config-'));

  it('reads and builds', async () => {
    const path = join(dir, 'ok.conf');
    writeFileSync(path, '[agent]\nid = x1\n');
    expect((await loadConfig(path, { hostname })).agent.id).toBe('x1');
  });

  it.each([
    ['missing.conf', 'no such file'],
    ['a-dir', 'is a directory'],
  ])('%s is unreadable: %s', async (name, why) => {
    mkdirSync(join(dir, 'a-dir'), { recursive: true });
    const path = join(dir, name);
    await expect(loadConfig(path, { hostname })).rejects.toThrow(new ConfigUnreadableError(`cannot read config file ${path}: ${why}`));
  });

  it('a file over 1 MiB is refused without reading it all', async () => {
    const big = join(dir, 'big.conf');
    writeFileSync(big, `# ${'x'.repeat(1024 * 1024)}\n`);
    await expect(loadConfig(big, { hostname })).rejects.toThrow(new ConfigUnreadableError(`cannot read config file ${big}: larger than 1 MiB`));
  });

  it('an endless device or a FIFO is refused at once', async () => {
    const fifo = join(dir, 'fifo.conf');
    execFileSync('mkfifo', [fifo]);
    for (const path of ['/dev/zero', fifo]) {
      await expect(loadConfig(path, { hostname })).rejects.toThrow(new ConfigUnreadableError(`cannot read config file ${path}: not a regular file`));
    }
  });

  it('binary garbage is reported line by line, each echo cut short', async () => {
    const junk = join(dir, 'junk.conf');
    writeFileSync(junk, Buffer.concat([Buffer.from('\u0000\u0001\u00ff'.repeat(40)), Buffer.from('\n[agent]\nport = '), Buffer.alloc(100, 0x39)]));
    const err = await loadConfig(junk, { hostname }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigInvalidError);
    const lines = (err as ConfigInvalidError).problems;
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(new RegExp(`^${junk}:1: expected "key = value" or "\\[section\\]", got ".*\\.\\.\\."$`));
    expect(lines[0]?.length).toBeLessThan(junk.length + 400);
    expect(lines[1]).toBe(`${junk}:3: [agent] port = "${'9'.repeat(57)}...": must be 1-65535`);
  });

  it('without a path it is the defaults', async () => {
    expect(await loadConfig(undefined, { hostname })).toEqual(buildConfig({ hostname }));
  });
});
