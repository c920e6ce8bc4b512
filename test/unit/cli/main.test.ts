import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../../src/cli/main.js';
import { VERSION } from '../../../src/version.js';
import { fakeIO } from '../../support/fake-io.js';

const dir = mkdtempSync(join(tmpdir(), 'dinc-cli-'));
function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

describe('the CLI, parsed without a process', () => {
  it('--version prints the version and exits 0', async () => {
    const io = fakeIO();
    expect(await main(['--version'], io)).toBe(0);
    expect(io.out()).toBe(`${VERSION}\n`);
  });

  it('--help lists exactly the commands that exist', async () => {
    const io = fakeIO();
    expect(await main(['--help'], io)).toBe(0);
    const section = io.out().split('Commands:\n')[1]?.split('\n\n')[0] ?? '';
    const commands = [...section.matchAll(/^ {2}([a-z]+)/gm)].map((m) => m[1]);
    expect(commands).toEqual(['start', 'raft', 'config', 'members', 'status', 'ready', 'join', 'monitor', 'keygen', 'help']);
  });

  it('start --help lists GoCluster\'s flags and the overrides', async () => {
    const io = fakeIO();
    expect(await main(['start', '--help'], io)).toBe(0);
    for (const flag of ['--config <file>', '--bind-address <ip>', '--port <port>', '--web <host:port|off>', '--id <id>', '--roles <list>', '--data-dir <dir>', '--log-level <level>', '--log-format <format>']) {
      expect(io.out()).toContain(flag);
    }
  });

  it.each([[['help']], [['help', 'start']]])('%j prints help and exits 0', async (argv) => {
    const io = fakeIO();
    expect(await main(argv, io)).toBe(0);
    expect(io.out()).toContain('Usage: dinc-agent');
  });

  it('no arguments prints help on stderr and exits 2', async () => {
    const io = fakeIO();
    expect(await main([], io)).toBe(2);
    expect(io.err()).toContain('Usage: dinc-agent');
  });

  it.each([
    [['stat'], "error: unknown command 'stat'\n(Did you mean start?)"],
    [['start', '--prot', '1'], "error: unknown option '--prot'\n(Did you mean --port?)"],
    [['start', 'extra'], 'error: too many arguments'],
    [['start', '--port'], "error: option '--port <port>' argument missing"],
  ])('%j is a usage error with exit 2', async (argv, message) => {
    const io = fakeIO();
    expect(await main(argv, io)).toBe(2);
    expect(io.err()).toContain(message);
    expect(io.err()).toMatch(/dinc-agent: bad usage; see dinc-agent --help \(DINC_USAGE\)\n$/);
  });

  it('keygen prints a 32-byte base64 key that [cluster] encrypt_key accepts', async () => {
    const io = fakeIO();
    expect(await main(['keygen'], io)).toBe(0);
    const key = io.out().trim();
    expect(Buffer.from(key, 'base64')).toHaveLength(32);
    const path = file('keyed.conf', `[cluster]\nencrypt_key = ${key}\n`);
    expect(await main(['config', 'validate', path], fakeIO())).toBe(0);
    const again = fakeIO();
    await main(['keygen'], again);
    expect(again.out()).not.toBe(io.out());
  });

  it('config validate reports a valid file on stdout', async () => {
    const path = file('good.conf', '[cluster]\nname = proxy\n[agent]\nbind_address = 127.0.0.1\n[nodes]\nnode001 = "h1:1"\nb = "h2:1"\n');
    const io = fakeIO();
    expect(await main(['config', 'validate', path], io)).toBe(0);
    expect(io.out()).toBe(`${path}: valid (agent node001, cluster proxy, 2 seeds)\n`);
  });

  it('config validate takes --config and override flags too', async () => {
    const path = file('flags.conf', '[agent]\nid = a\n');
    const io = fakeIO();
    expect(await main(['config', 'validate', '--config', path, '--id', 'b'], io)).toBe(0);
    expect(io.out()).toContain('(agent b,');
  });

  it('config validate lists every problem with file:line and exits 2', async () => {
    const path = file('bad.conf', '[agent]\nport = 99999\nbind_adress = 1.2.3.4\n');
    const io = fakeIO();
    expect(await main(['config', 'validate', path], io)).toBe(2);
    expect(io.err()).toBe(
      `${path}:2: [agent] port = 99999: must be 1-65535\n` +
        `${path}:3: [agent] bind_adress: unknown key; did you mean bind_address?\n` +
        'dinc-agent: invalid configuration: 2 problems (DINC_CONFIG_INVALID)\n',
    );
  });

  it('config validate without a file is a usage error', async () => {
    const io = fakeIO();
    expect(await main(['config', 'validate'], io)).toBe(2);
    expect(io.err()).toBe('dinc-agent: name the file to check: dinc-agent config validate cluster.conf (DINC_USAGE)\n');
  });

  it('a missing config file is exit 2 with its path', async () => {
    const io = fakeIO();
    expect(await main(['start', '--config', join(dir, 'nope.conf')], io)).toBe(2);
    expect(io.err()).toContain(`cannot read config file ${join(dir, 'nope.conf')}: no such file (DINC_CONFIG_UNREADABLE)`);
  });

  it('start with a broken flag never starts the agent', async () => {
    const io = fakeIO();
    expect(await main(['start', '--port', '0', '--web', '127.0.0.1:0'], io)).toBe(2);
    expect(io.err()).toBe('--port "0": must be 1-65535\ndinc-agent: invalid configuration: 1 problem (DINC_CONFIG_INVALID)\n');
    expect(io.signals.listenerCount()).toBe(0);
  });
});
