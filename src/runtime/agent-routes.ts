/** The agent's own HTTP API on `[agent] web`: health, members, leader, join. */
import type { AgentConfig } from '../config/load.js';
import { parseHostPort } from '../config/values.js';
import { formatAddress, type Member } from '../core/membership/types.js';
import { VERSION } from '../version.js';
import { HttpError, readJson, requireToken, sendJson, type Handler, type Routes } from './http.js';
import type { MembershipService } from './membership/service.js';

export interface AgentRouteDeps {
  config(): AgentConfig;
  /** Seconds since the agent started. */
  uptime(): number;
  readonly membership: MembershipService;
}

/** A member as the API shows it. */
export function memberJson(m: Member, leader: string | null, self: string): Record<string, unknown> {
  return {
    id: m.id,
    address: formatAddress(m.addr),
    state: m.state,
    roles: m.meta.roles,
    services: m.meta.services,
    tags: m.meta.tags,
    version: m.meta.version,
    incarnation: m.incarnation,
    state_changed_at: new Date(m.stateChangedAt).toISOString(),
    load: m.load ? { cpu: m.load.cpu, lag_ms: m.load.lagMs, heard_at: new Date(m.load.heardAt).toISOString() } : null,
    leader: m.id === leader,
    self: m.id === self,
  };
}

export function agentRoutes(deps: AgentRouteDeps): Routes {
  const leaderJson = (): Record<string, unknown> => {
    const view = deps.membership.leader();
    return {
      leader: view.leader,
      self_is_leader: view.leader === deps.config().agent.id,
      quorum: view.quorum,
      reason: view.reason,
      since: new Date(view.since).toISOString(),
      changes: view.changes,
    };
  };
  const members: Handler = (_req, res) => {
    const { agent } = deps.config();
    const leader = deps.membership.leader().leader;
    sendJson(res, 200, { self: agent.id, leader, members: deps.membership.members().map((m) => memberJson(m, leader, agent.id)) });
  };
  const join: Handler = async (req, res) => {
    requireToken(req, deps.config().agent.api_token);
    const body = (await readJson(req)) as { addresses?: unknown };
    if (!Array.isArray(body?.addresses) || body.addresses.length === 0 || body.addresses.length > 64 || !body.addresses.every((a) => typeof a === 'string')) {
      throw new HttpError(400, 'DINC_BAD_REQUEST', 'the body must be {"addresses": ["host:port", ...]} with 1-64 entries');
    }
    const addrs = body.addresses.map((a) => {
      try {
        return parseHostPort(a, { defaultPort: deps.config().agent.port });
      } catch (e) {
        throw new HttpError(400, 'DINC_BAD_REQUEST', `address ${JSON.stringify(a.slice(0, 100))}: ${(e as Error).message}`);
      }
    });
    const result = await deps.membership.join(addrs);
    sendJson(res, result.joined > 0 ? 200 : 502, result);
  };
  return new Map<string, Partial<Record<string, Handler>>>([
    [
      '/health',
      {
        GET: (_req, res) => {
          const { agent, cluster } = deps.config();
          sendJson(res, 200, { status: 'ok', id: agent.id, cluster: cluster.name, version: VERSION, uptime: deps.uptime() });
        },
      },
    ],
    ['/v1/members', { GET: members }],
    ['/v1/leader', { GET: (_req, res) => sendJson(res, 200, leaderJson()) }],
    ['/v1/join', { POST: join }],
    [
      '/v1/stats',
      {
        GET: (_req, res) => {
          const c = deps.membership.counters;
          sendJson(res, 200, {
            membership: {
              packets_in: c.packetsIn,
              packets_out: c.packetsOut,
              bytes_in: c.bytesIn,
              bytes_out: c.bytesOut,
              exchanges: c.exchanges,
              exchange_failures: c.exchangeFailures,
              drops: Object.fromEntries(c.drops),
              health_score: deps.membership.health(),
            },
          });
        },
      },
    ],
  ]);
}
