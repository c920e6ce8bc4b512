/**
 * `dinc-agent raft list-peers|add|remove|transfer-leader --config FILE`
 * against a group on ports other than the default 5001: every subcommand
 * finds the member at `[raft] listen` of FILE and sends `[agent] api_token`
 * of FILE, with no --addr, --token or DINC_API_TOKEN.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { BIN, killAgents } from '../support/agent-process.js';
import { eventually } from '../support/eventually.js';
import { LoopbackGroup } from '../support/raft-loopback.js';

afterEach(killAgents);

const run = promisify(execFile);
const TOKEN = 'raft-cli-config-token-0123';
const { DINC_API_TOKEN: _unused, ...env } = process.env;

/** `dinc-agent raft ARGS --config <conf of via>`; retried while the answer is a retryable 503 (an election under way). */
async function cli(group: LoopbackGroup, via: string, ...args: string[]): Promise<string> {
  for (let attempt = 1; ; attempt++) {
    try {
      const { stdout } = await run(process.execPath, [BIN, 'raft', ...args, '--config', group.member(via).conf], { timeout: 90_000, env });
      return stdout;
    } catch (e) {
      if (attempt >= 20 || !/\((DINC_NO_LEADER|DINC_NOT_APPLIED)\)\n/.test(String((e as { stderr?: string }).stderr))) throw e;
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}

const ids = async (group: LoopbackGroup, via: string): Promise<string[]> =>
  (JSON.parse(await cli(group, via, 'list-peers', '--json')) as { peers: { id: string }[] }).peers.map((p) => p.id);

describe('raft subcommands honour --config', () => {
  it('list-peers, add, transfer-leader and remove reach [raft] listen of the file, with its api_token', async () => {
    const group = await LoopbackGroup.create(1, { spare: 1, extra: `[agent]\napi_token = ${TOKEN}\n` });
    for (const m of group.members) expect(m.raftPort).not.toBe(5001);
    await group.start();
    await group.leader(['n1']);

    expect(await cli(group, 'n1', 'list-peers')).toMatch(/^n1\s+n1\s+127\.0\.0\.1:\d+\s+leader\s+true/m);
    // Without the file's token the agent refuses a change: the subcommand must have sent it.
    const refused = await run(process.execPath, [BIN, 'raft', 'add', 'n2', '127.0.0.1:1', '--addr', `127.0.0.1:${group.member('n1').raftPort}`], { env }).catch((e: { stderr: string }) => e);
    expect(refused.stderr).toMatch(/\(DINC_UNAUTHORIZED\)\n$/);

    await cli(group, 'n1', 'add', 'n2', `127.0.0.1:${group.member('n2').raftPort}`);
    await eventually(async () => expect(await ids(group, 'n2')).toEqual(['n1', 'n2']), 30_000);
    await cli(group, 'n2', 'transfer-leader', 'n2');
    expect(await group.leader(['n1', 'n2'])).toBe('n2');
    await cli(group, 'n2', 'remove', 'n1');
    await eventually(async () => expect(await ids(group, 'n2')).toEqual(['n2']), 30_000);
  }, 120_000);
});
