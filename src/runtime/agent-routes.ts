/** The agent's own HTTP API on `[agent] web`: health, readiness, status, members, leader, join, streams. */
import type { AgentConfig } from '../config/load.js';
import { parseHostPort } from '../config/values.js';
import { agentNotReady, roleHealth } from '../ops/readiness.js';
import type { StatusSnapshot } from '../ops/snapshot.js';
import { VERSION } from '../version.js';
import { HttpError, readJson, sendJson, type Handler, type Routes } from './http.js';
import type { MembershipService } from './membership/service.js';
import { sendReadiness } from './ready-answer.js';
import type { StatusFeed } from './status-feed.js';

export interface AgentRouteDeps {
  config(): AgentConfig;
  /** Seconds since the agent started. */
  uptime(): number;
  readonly membership: MembershipService;
  /** A fresh status snapshot. */
  snapshot(): StatusSnapshot;
  readonly feed: StatusFeed;
  /** More route tables (metrics, logs, the web UI). */
  readonly extra: readonly Routes[];
}

export function agentRoutes(deps: AgentRouteDeps): Routes {
  const join: Handler = async (req, res) => {
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
          sendJson(res, 200, { status: 'ok', id: agent.id, cluster: cluster.name, version: VERSION, uptime: deps.uptime(), roles: roleHealth(deps.snapshot().roles) });
        },
      },
    ],
    [
      '/ready',
      {
        GET: (_req, res) => {
          const { agent } = deps.config();
          sendReadiness(res, agentNotReady(deps.membership.address !== undefined, deps.snapshot().roles), { id: agent.id });
        },
      },
    ],
    ['/v1/status', { GET: (_req, res) => sendJson(res, 200, deps.snapshot()) }],
    [
      '/v1/members',
      {
        GET: (_req, res) => {
          const s = deps.snapshot();
          sendJson(res, 200, { self: s.agent.id, leader: s.leader.id, members: s.members });
        },
      },
    ],
    [
      '/v1/leader',
      {
        GET: (_req, res) => {
          const { id, self, ...rest } = deps.snapshot().leader;
          sendJson(res, 200, { leader: id, self_is_leader: self, ...rest });
        },
      },
    ],
    ['/v1/join', { POST: join }],
    ['/events', { GET: deps.feed.events }],
    ...deps.extra.flatMap((routes) => [...routes]),
  ]);
}

