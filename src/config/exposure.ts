/**
 * Listeners that take unauthenticated input from beyond this host. Running
 * so stays possible; the agent says so at start, `status` shows it, and
 * `config validate` warns (`--strict` fails).
 */
import type { AgentConfig } from './load.js';
import { formatHostPort, type HostPort } from './values.js';

/** One listener open beyond loopback without authentication. */
export interface Exposure {
  /** The setting whose place a config message points at: `agent.bind_address`, `raft.listen`, `agent.web`. */
  readonly key: string;
  /** What listens: gossip, Raft traffic, or an HTTP API. */
  readonly listener: 'gossip' | 'raft' | 'http';
  /** One line: what is open, what is missing, what an attacker can do. */
  readonly text: string;
}

/** Whether only this host can reach a listener bound to `host`. */
export function isLoopback(host: string): boolean {
  const h = host.toLowerCase().replace(/^::ffff:/, '');
  return h === 'localhost' || h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

/** Every listener of `config` reachable beyond loopback without authentication, gossip first. */
export function exposures(config: AgentConfig): Exposure[] {
  const { agent, cluster, raft } = config;
  const out: Exposure[] = [];
  if (!isLoopback(agent.bind_address) && cluster.encrypt_key === '') {
    out.push({
      key: 'agent.bind_address',
      listener: 'gossip',
      text: `gossip on ${formatHostPort({ host: agent.bind_address, port: agent.port })} is not authenticated (no [cluster] encrypt_key): anyone who can send it a packet can forge membership`,
    });
  }
  const raftListen = agent.roles.includes('raft') ? raft.listen : null;
  if (raftListen !== null && !isLoopback(raftListen.host) && raft.token === '' && cluster.encrypt_key === '') {
    out.push({
      key: 'raft.listen',
      listener: 'raft',
      text: `Raft traffic on ${formatHostPort(raftListen)} is not authenticated (neither [raft] token nor [cluster] encrypt_key): anyone who can connect can pose as a member`,
    });
  }
  else if (raftListen !== null && agent.api_token !== '' && raft.token === '' && cluster.encrypt_key === '') {
    out.push({
      key: 'raft.listen',
      listener: 'raft',
      text: `Raft traffic on ${formatHostPort(raftListen)} is not authenticated (neither [raft] token nor [cluster] encrypt_key): [agent] api_token does not guard it, so a local process can pose as a member and write`,
    });
  }
  if (agent.api_token === '') {
    const apis: [string, string, HostPort | null][] = [
      ['agent.web', 'the HTTP API', agent.web],
      ['raft.listen', 'the Raft HTTP API', raftListen],
    ];
    for (const [key, name, address] of apis) {
      if (address === null || isLoopback(address.host)) continue;
      out.push({ key, listener: 'http', text: `${name} on ${formatHostPort(address)} takes changes without a token (no [agent] api_token): anyone who can connect can change the cluster` });
    }
  }
  return out;
}
