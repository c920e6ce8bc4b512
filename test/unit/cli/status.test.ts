import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../../src/cli/main.js';
import { fakeIO } from '../../support/fake-io.js';
import { FakeTerminal } from '../../support/fake-terminal.js';

const USAGE_END = /\(DINC_USAGE\)\n$/;

describe('dinc-agent status, parsed without an agent', () => {
  it('--help names the address, config, JSON and watch options', async () => {
    const io = fakeIO();
    expect(await main(['status', '--help'], io)).toBe(0);
    for (const flag of ['--addr <host:port>', '--config <file>', '--json', '--watch']) expect(io.out()).toContain(flag);
  });

  it('--watch needs a terminal: without one it is a usage error that says what to do, and nothing is drawn', async () => {
    const io = fakeIO();
    expect(await main(['status', '--watch', '--addr', '127.0.0.1:1'], io)).toBe(2);
    expect(io.err()).toBe('dinc-agent: --watch needs a terminal, and stdout is not one; leave out --watch to print the status once (DINC_USAGE)\n');
    expect(io.out()).toBe('');
  });

  it('--watch with --json is a usage error, even on a terminal, and leaves the terminal alone', async () => {
    const terminal = new FakeTerminal();
    const io = fakeIO({ terminal });
    expect(await main(['status', '--watch', '--json', '--addr', '127.0.0.1:1'], io)).toBe(2);
    expect(io.err()).toMatch(/--watch and --json do not go together/);
    expect(io.out()).toBe('');
    expect(terminal.raw).toBe(false);
  });

  it.each([
    [['status', '--addr', 'not an address'], /--addr "not an address": must be host:port/],
    [['status', '--adr', 'x:1'], /unknown option '--adr'\n\(Did you mean --addr\?\)/],
    [['status', 'extra'], /too many arguments/],
  ])('%j is a usage error with exit 2', async (argv, message) => {
    const io = fakeIO();
    expect(await main(argv, io)).toBe(2);
    expect(io.err()).toMatch(message);
    expect(io.err()).toMatch(USAGE_END);
  });

  it('a --config whose [agent] web is off leaves no API to ask: usage error naming the file', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'dinc-status-')), 'web-off.conf');
    writeFileSync(path, '[agent]\nweb = off\n');
    const io = fakeIO();
    expect(await main(['status', '--config', path], io)).toBe(2);
    expect(io.err()).toContain(`${path}: [agent] web is off`);
  });
});
