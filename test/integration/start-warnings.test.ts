/**
 * `dinc-agent start` says so, at warn level, when a listener takes
 * unauthenticated input from beyond this host; an agent on loopback only
 * starts without a warning.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { eventually } from '../support/eventually.js';
import { fakeIO } from '../support/fake-io.js';
import { freePortBase } from '../support/ports.js';

const dir = mkdtempSync(join(tmpdir(), 'dinc-start-warnings-'));

interface LogRecord {
  readonly level: string;
  readonly msg: string;
  readonly web?: string;
}

const records = (text: string): LogRecord[] =>
  text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as LogRecord);

/** Starts an agent in process on `web`, runs `whileRunning` with its web address, stops it, and returns its log records. */
async function startAndStop(name: string, web: string, whileRunning: (web: string) => Promise<void> = () => Promise.resolve()): Promise<LogRecord[]> {
  const port = (await freePortBase(1)) + 1;
  const conf = join(dir, `${name}.conf`);
  writeFileSync(conf, `[cluster]\nmulticast_group = off\n[agent]\nbind_address = 127.0.0.1\nport = ${port}\nweb = ${web}\ndata_dir = ${join(dir, name)}\n`);
  const io = fakeIO({ hostname: name });
  const code = main(['start', '--config', conf], io);
  await eventually(() => Promise.resolve(expect(io.err()).toContain('running')));
  const running = records(io.err()).find((r) => r.msg.endsWith(' running'));
  await whileRunning((running?.web ?? '').replace('0.0.0.0', '127.0.0.1'));
  io.signals.send('SIGTERM');
  expect(await code).toBe(0);
  return records(io.err());
}

describe('start warns about unauthenticated listeners beyond loopback', () => {
  it('an HTTP API on every address without [agent] api_token is a warning at start, naming the file and line', async () => {
    const open = await startAndStop('open', '0.0.0.0:0');
    expect(open.filter((r) => r.level === 'warn').map((r) => r.msg)).toEqual([
      `${join(dir, 'open.conf')}:6: the HTTP API on 0.0.0.0:0 takes changes without a token (no [agent] api_token): anyone who can connect can change the cluster`,
    ]);
  });

  it('an agent on loopback only starts without a warning', async () => {
    const local = await startAndStop('local', '127.0.0.1:0');
    expect(local.filter((r) => r.level === 'warn')).toEqual([]);
  });

  it('dinc-agent status shows the warning under "Warnings", and the snapshot carries it', async () => {
    await startAndStop('status', '0.0.0.0:0', async (web) => {
      const io = fakeIO();
      expect(await main(['status', '--addr', web], io)).toBe(0);
      expect(io.out()).toMatch(/^Warnings\n! the HTTP API on 0\.0\.0\.0:0 takes changes without a token/m);
      const json = fakeIO();
      await main(['status', '--addr', web, '--json'], json);
      expect((JSON.parse(json.out()) as { warnings: string[] }).warnings).toEqual([
        'the HTTP API on 0.0.0.0:0 takes changes without a token (no [agent] api_token): anyone who can connect can change the cluster',
      ]);
    });
  });
});
