/**
 * The Raft listener's operational endpoints: seed 002's `/health`,
 * `/cluster` and `/stats`, readiness (`/ready`, readiness.ts), and the
 * group's members (`/v1/raft/peers`, `/v1/raft/transfer-leader`; changes
 * need `[agent] api_token` when it is set, as every state-changing request does).
 * Membership changes run on the leader; a follower forwards them.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ID_PATTERN } from '../../config/schema.js';
import { parseHostPort } from '../../config/values.js';
import type { RaftRoleStatus } from '../../ops/snapshot.js';
import { HttpError, parseJsonBody, readBody, sendJson, type Handler, type Routes } from '../../runtime/http.js';
import { pathAfter, queryOf } from '../../runtime/http-input.js';
import { sendReadiness } from '../../runtime/ready-answer.js';
import { Forwarder } from './forward.js';
import { serve, type Gate } from './gate.js';
import { CATCH_UP_DEADLINE_MS, addMember, removeMember, transferLeadership } from './group-changes.js';
import type { RaftHost } from '../../runtime/raft/host.js';
import type { Outcome } from '../../runtime/raft/outcome.js';
import { clusterView, peerList, type ViewSources } from './view.js';

/** A change forwarded to the leader may wait for a new member to catch up, then for the steps around it. */
const CHANGE_TIMEOUT_MS = CATCH_UP_DEADLINE_MS + 15_000;

export interface AdminSources extends ViewSources, Gate {
  slot(): RaftRoleStatus;
  uptime(): number;
}

export function adminRoutes(src: AdminSources): Routes {
  const changing = (run: (host: RaftHost, body: Record<string, unknown>, req: IncomingMessage) => Promise<Outcome>): Handler => {
    return async (req, res) => {
      const body = await readBody(req, 4096);
      const fields = body.length === 0 ? {} : jsonObject(parseJsonBody(body));
      const exchange = { req, res, style: 'native' as const, body, timeoutMs: CHANGE_TIMEOUT_MS };
      await serve(src, exchange, (host) => run(host, fields, req), () => sendJson(res, 200, { ok: true, ...peerList(src.slot()) }));
    };
  };
  return new Map<string, Partial<Record<string, Handler>>>([
    ['/health', { GET: (_req, res) => health(src, res) }],
    [
      '/ready',
      {
        GET: (_req, res) => {
          const slot = src.slot();
          sendReadiness(res, slot.not_ready ?? null, { node_id: src.id, state: slot.state, leader: slot.leader });
        },
      },
    ],
    ['/cluster', { GET: (_req, res) => sendJson(res, 200, clusterView(src, src.slot())) }],
    ['/stats', { GET: (_req, res) => sendJson(res, 200, { node_id: src.id, uptime_s: src.uptime(), ...src.slot() }) }],
    [
      '/v1/raft/peers',
      {
        GET: async (req, res) => {
          const slot = src.slot();
          const host = src.host();
          const leader = slot.leader;
          const stale = queryOf(req).has('stale');
          const to = leader !== null && leader !== src.id ? src.resolve(leader) : undefined;
          if (!stale && host !== undefined && to !== undefined && leader !== null && !Forwarder.isForwarded(req)) {
            await src.forwarder.relay(req, new Uint8Array(0), res, leader, to, 'native');
            return;
          }
          sendJson(res, 200, peerList(slot));
        },
        POST: changing((host, body) => {
          const id = memberId(body.id);
          if (typeof body.address !== 'string') throw new HttpError(400, 'DINC_BAD_REQUEST', 'address is the new member\'s Raft listener, host:port');
          let address;
          try {
            address = parseHostPort(body.address);
          } catch (e) {
            throw new HttpError(400, 'DINC_BAD_REQUEST', `address ${(e as Error).message}`);
          }
          return addMember(host, id, address, (member) => src.resolve(member));
        }),
      },
    ],
    ['/v1/raft/peers/*', { DELETE: changing((host, _body, req) => removeMember(host, memberId(pathAfter(req, '/v1/raft/peers/')))) }],
    ['/v1/raft/transfer-leader', { POST: changing((host, body) => transferLeadership(host, body.to === undefined ? undefined : memberId(body.to))) }],
  ]);
}

/**
 * 200 `healthy` while the member works, 200 `degraded` while its disk
 * refuses writes for now (it resumes by itself), 503 `unhealthy` once the
 * disk failed and 503 `removed` once the group's leader no longer lists it.
 * `storage` is `ok`, `retrying after ...` or `failed: ...`; `is_member`
 * whether it is in the group.
 */
function health(src: AdminSources, res: ServerResponse): void {
  const slot = src.slot();
  const retrying = slot.storage_retrying ?? null;
  const status = slot.storage_failure !== null ? 'unhealthy' : slot.state === 'removed' ? 'removed' : retrying !== null ? 'degraded' : 'healthy';
  const reason =
    slot.storage_failure !== null
      ? `disk failed: ${slot.storage_failure}`
      : slot.state === 'removed'
        ? 'not a member: the Raft group no longer lists this member'
        : retrying !== null
          ? `storage ${retrying}`
          : undefined;
  sendJson(res, status === 'healthy' || status === 'degraded' ? 200 : 503, {
    status,
    node_id: src.id,
    state: slot.state,
    is_member: slot.state !== 'removed',
    leader: slot.leader,
    term: slot.term,
    storage: slot.storage_failure !== null ? `failed: ${slot.storage_failure}` : (retrying ?? 'ok'),
    ...(reason !== undefined && { reason }),
  });
}

function jsonObject(value: unknown): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new HttpError(400, 'DINC_BAD_REQUEST', 'the body is a JSON object');
  return value as Record<string, unknown>;
}

function memberId(value: unknown): string {
  if (typeof value !== 'string' || !ID_PATTERN.test(value)) throw new HttpError(400, 'DINC_BAD_REQUEST', 'a member id is 1-64 letters, digits, dot, dash or underscore (its [agent] id)');
  return value;
}
