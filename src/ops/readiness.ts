/**
 * Whether the agent can serve (`GET /ready` on the web listener): its
 * membership is started and every role's status slot says it can serve (a
 * slot's `not_ready` is null or absent). `/health` answers as soon as the
 * process listens; `/ready` once requests would be served.
 */

/** Why the agent cannot serve yet (the first reason, naming its role); null when it can. */
export function agentNotReady(membershipStarted: boolean, roles: Readonly<Record<string, unknown>>): string | null {
  if (!membershipStarted) return 'membership is not started yet';
  for (const [name, slot] of Object.entries(roles)) {
    const reason = slot !== null && typeof slot === 'object' ? (slot as { not_ready?: unknown }).not_ready : undefined;
    if (typeof reason === 'string') return `${name}: ${reason}`;
  }
  return null;
}

/** The fields of a role's slot that `/health` repeats: its state, why it cannot serve, and its disk's trouble. */
const HEALTH_FIELDS = ['state', 'not_ready', 'storage_retrying', 'storage_failure'] as const;

/** Per role, the slot's HEALTH_FIELDS that it has (string or null): what the web listener's `/health` shows of the roles. */
export function roleHealth(roles: Readonly<Record<string, unknown>>): Record<string, Record<string, string | null>> {
  const out: Record<string, Record<string, string | null>> = {};
  for (const [name, slot] of Object.entries(roles)) {
    if (slot === null || typeof slot !== 'object') continue;
    const fields = slot as Record<string, unknown>;
    out[name] = Object.fromEntries(HEALTH_FIELDS.filter((f) => typeof fields[f] === 'string' || fields[f] === null).map((f) => [f, fields[f] as string | null]));
  }
  return out;
}
