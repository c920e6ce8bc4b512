/** Makes sure what an agent sent is a status snapshot this CLI can read. */
import { AgentRequestError } from '../../errors.js';
import { SNAPSHOT_VERSION, type StatusSnapshot } from '../../ops/snapshot.js';

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** `body` as a snapshot; an AgentRequestError naming `source` when it is another version or not a snapshot at all. */
export function checkSnapshot(body: unknown, source: string): StatusSnapshot {
  if (!isObject(body)) throw new AgentRequestError(`${source} sent something that is not a status snapshot`);
  if (body.version !== SNAPSHOT_VERSION) {
    throw new AgentRequestError(`${source} sent status snapshot version ${String(body.version)}; this dinc-agent reads version ${SNAPSHOT_VERSION}: run the same version on both sides`);
  }
  const shaped = ['cluster', 'agent', 'leader', 'counters', 'roles'].every((k) => isObject(body[k])) && Array.isArray(body.members) && Array.isArray(body.events) && typeof body.time === 'string';
  if (!shaped) throw new AgentRequestError(`${source} sent a status snapshot with fields missing`);
  return body as unknown as StatusSnapshot;
}
