import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildConfig, type AgentConfig } from '../../src/config/load.js';
import { runAgent } from '../../src/runtime/agent.js';
import { FakeSignals } from '../support/fake-io.js';
import { freePortBase } from '../support/ports.js';
import { memoryLogger } from '../support/memory-log.js';

let gossipPort = 0;
beforeAll(async () => {
  gossipPort = (await freePortBase(1)) + 1;
});

function config(): AgentConfig {
  const dir = mkdtempSync(join(tmpdir(), 'dinc-signals-'));
  return buildConfig({
    hostname: 'n1',
    overrides: [
      { flag: '--web', section: 'agent', key: 'web', value: '127.0.0.1:0' },
      { flag: '--data-dir', section: 'agent', key: 'data_dir', value: join(dir, 'data') },
      { flag: '--bind-address', section: 'agent', key: 'bind_address', value: '127.0.0.1' },
      { flag: '--port', section: 'agent', key: 'port', value: String(gossipPort) },
    ],
  });
}

function run(reloadConfig: () => Promise<AgentConfig> = () => Promise.resolve(config())) {
  const signals = new FakeSignals();
  const { log, records } = memoryLogger();
  const exits: number[] = [];
  const done = runAgent(config(), { log, signals, exitNow: (c) => exits.push(c), reloadConfig, monotonicMs: () => performance.now() });
  const running = async (): Promise<void> => {
    while (!records.some((r) => r.msg.endsWith(' running'))) await new Promise((r) => setTimeout(r, 5));
  };
  return { signals, records, exits, done, running };
}

describe('signals reaching a running agent', () => {
  it('a second stop signal exits at once with code 1', async () => {
    const agent = run();
    await agent.running();
    agent.signals.send('SIGTERM');
    agent.signals.send('SIGINT');
    expect(agent.exits).toEqual([1]);
    expect(agent.records).toContainEqual(expect.objectContaining({ level: 'warn', msg: 'SIGINT again: exiting now' }));
    expect(await agent.done).toBe(0);
  });

  it('a stop signal during start-up stops the agent once it is up', async () => {
    const agent = run();
    agent.signals.send('SIGTERM');
    expect(await agent.done).toBe(0);
    expect(agent.records.filter((r) => r.level === 'info').map((r) => r.msg).slice(-3)).toEqual([expect.stringMatching(/ running$/), 'SIGTERM: stopping', 'stopped']);
  });

  it('a SIGHUP during start-up reloads once the agent is up', async () => {
    let reloads = 0;
    const agent = run(() => {
      reloads++;
      return Promise.resolve(config());
    });
    agent.signals.send('SIGHUP');
    await agent.running();
    while (!agent.records.some((r) => r.msg.startsWith('config reloaded'))) await new Promise((r) => setTimeout(r, 5));
    expect(reloads).toBe(1);
    agent.signals.send('SIGTERM');
    expect(await agent.done).toBe(0);
  });

  it('SIGHUP during the stop is ignored, and every handler is removed at the end', async () => {
    let reloads = 0;
    const agent = run(() => {
      reloads++;
      return Promise.resolve(config());
    });
    await agent.running();
    agent.signals.send('SIGTERM');
    agent.signals.send('SIGHUP');
    expect(await agent.done).toBe(0);
    expect(reloads).toBe(0);
    expect(agent.signals.listenerCount()).toBe(0);
  });
});
