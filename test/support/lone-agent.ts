/**
 * One real `dinc-agent start` with the raft role, alone in its group, its
 * web and Raft listeners on free ports of 127.0.0.1, and an api_token; for
 * tests of the HTTP surface of both listeners. Resolves once it leads.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnAgent, type AgentProcess } from './agent-process.js';
import { eventually } from './eventually.js';
import { freePortBase } from './ports.js';

export const LONE_TOKEN = 'lone-agent-token-0123456789';

export interface LoneAgent {
  readonly process: AgentProcess;
  readonly web: string;
  readonly raft: string;
  readonly webPort: number;
  readonly raftPort: number;
}

export async function startLoneAgent(extra = ''): Promise<LoneAgent> {
  const dir = mkdtempSync(join(tmpdir(), 'dinc-lone-'));
  const base = await freePortBase(3);
  const [webPort, raftPort, gossipPort] = [base + 1, base + 2, base + 3];
  const conf = join(dir, 'agent.conf');
  writeFileSync(
    conf,
    `[cluster]\nname = lone-${Math.random().toString(36).slice(2, 10)}\nmulticast_group = off\n` +
      `[agent]\nid = n1\nbind_address = 127.0.0.1\nport = ${gossipPort}\nweb = 127.0.0.1:${webPort}\ndata_dir = ${dir}/data\nroles = raft\napi_token = ${LONE_TOKEN}\n${extra}` +
      `[raft]\nlisten = 127.0.0.1:${raftPort}\nbootstrap_expect = 1\n`,
  );
  const process = await spawnAgent(['start', '--config', conf]);
  await process.waitFor((r) => typeof r.msg === 'string' && r.msg.startsWith('dinc-agent') && r.msg.endsWith('running'));
  const raft = `http://127.0.0.1:${raftPort}`;
  await eventually(async () => {
    const view = (await (await fetch(`${raft}/cluster`)).json()) as { is_leader?: boolean };
    if (view.is_leader !== true) throw new Error('not leading yet');
  });
  return { process, web: `http://127.0.0.1:${webPort}`, raft, webPort, raftPort };
}
