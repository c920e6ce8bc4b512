/**
 * `dinc-agent status --watch` in a real terminal: tmux runs it against three
 * real agents, and its pane is read back as a user would see it.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BIN, killAgents, spawnAgent, type AgentProcess } from '../support/agent-process.js';
import { eventually } from '../support/eventually.js';
import { freePortBase } from '../support/ports.js';
import { hasTool } from '../support/prerequisite.js';

/** The tmux server's own socket, in a folder of this test run (removed with it). */
const SOCKET = join(mkdtempSync(join(tmpdir(), 'dinc-tmux-')), 'socket');
const tmux = (...args: string[]): string => execFileSync('tmux', ['-S', SOCKET, '-f', '/dev/null', ...args], { encoding: 'utf8' });
const pane = (): string => tmux('capture-pane', '-p', '-t', 'watch');
/** The state the pane shows for member `id`, if it shows the member. */
const stateOf = (screen: string, id: string): string | undefined => new RegExp(`^[* ] ${id} +(\\S+)`, 'm').exec(screen)?.[1];
const quote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;
/** Polls `check` every 20 ms until it passes; after `ms` its last failure is the test's. */
const until = <T>(check: () => T, ms = 60_000): Promise<T> => eventually(() => Promise.resolve().then(check), ms, 20);

afterEach(() => {
  spawnSync('tmux', ['-S', SOCKET, 'kill-server']);
  killAgents();
});

/** Three agents on 127.0.0.1 that know each other by seeds: gossip on base+i, web on base+10+i. */
async function threeAgents(): Promise<{ agents: AgentProcess[]; web: (i: number) => string }> {
  const base = await freePortBase(20);
  const dir = mkdtempSync(join(tmpdir(), 'dinc-watch-'));
  const seeds = [1, 2, 3].map((i) => `node00${i} = "127.0.0.1:${base + i}"`).join('\n');
  const agents: AgentProcess[] = [];
  for (const i of [1, 2, 3]) {
    const conf = join(dir, `node00${i}.conf`);
    writeFileSync(
      conf,
      `[agent]\nid = node00${i}\nbind_address = 127.0.0.1\nport = ${base + i}\nweb = 127.0.0.1:${base + 10 + i}\ndata_dir = ${join(dir, `d${i}`)}\n[gossip]\nprofile = local\n[cluster]\nname = watch\nmulticast_group = off\nexpect = 3\n[nodes]\n${seeds}\n`,
    );
    const agent = await spawnAgent(['start', '--config', conf, '--port', String(base + i)]);
    await agent.waitFor((r) => r.msg.endsWith(' running'));
    agents.push(agent);
  }
  return { agents, web: (i) => `127.0.0.1:${base + 10 + i}` };
}

describe.skipIf(!hasTool('tmux', 'apt-get install tmux'))('status --watch in tmux, against three real agents', () => {
  it('shows all three alive, shows a killed one suspect then dead, and on q leaves a clean terminal', async () => {
    const { agents, web } = await threeAgents();
    // After the watch: its exit code, then whether the keyboard is back in cooked mode with echo on.
    const after = `echo EXITED $?; stty -a | tr ' ;' '\\n\\n' | grep -x -E -- '-?(icanon|echo)'; sleep 600`;
    tmux('-u', 'new-session', '-d', '-s', 'watch', '-x', '120', '-y', '40', `sh -c ${quote(`${quote(process.execPath)} ${quote(BIN)} status --watch --addr ${web(2)}; ${after}`)}`);

    await until(() => {
      const screen = pane();
      expect(screen).toMatch(/^Live from /);
      expect(['node001', 'node002', 'node003'].map((id) => stateOf(screen, id))).toEqual(['alive', 'alive', 'alive']);
      expect(tmux('display', '-p', '-t', 'watch', '#{alternate_on} #{cursor_flag}').trim()).toBe('1 0');
    });

    agents[2]?.child.kill('SIGKILL');
    const killedAt = performance.now();
    const shown = await until(() => {
      const state = stateOf(pane(), 'node003');
      expect(['suspect', 'dead']).toContain(state);
      return { state, ms: performance.now() - killedAt };
    });
    await until(() => expect(stateOf(pane(), 'node003')).toBe('dead'));
    const deadMs = performance.now() - killedAt;
    console.log(`status --watch: kill -9 of node003 shown as ${shown.state} after ${Math.round(shown.ms)} ms, as dead after ${Math.round(deadMs)} ms (pane polled every 20 ms)`);
    expect(stateOf(pane(), 'node001')).toBe('alive');

    tmux('send-keys', '-t', 'watch', 'q');
    await until(() => expect(pane()).toMatch(/^EXITED 0$/m), 20_000);
    // stty's lines come after EXITED: wait for them too.
    await until(() => expect(pane().split('\n').filter((l) => /^-?(icanon|echo)$/.test(l))).toEqual(['icanon', 'echo']), 20_000);
    const screen = pane();
    expect(screen).not.toContain('MEMBER');
    expect(screen).not.toContain('Live from');
    expect(tmux('display', '-p', '-t', 'watch', '#{alternate_on} #{cursor_flag} #{wrap_flag}').trim()).toBe('0 1 1');
  }, 180_000);
});
