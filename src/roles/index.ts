/**
 * The roles an agent can take on (DESIGN.md, "Roles"). `ROLE_NAMES` is every
 * role the design names, each with its own config section; `AVAILABLE_ROLES`
 * is the subset this build can run. `[agent] roles` accepts only the latter.
 */
export const ROLE_NAMES = ['registry', 'node', 'balancer', 'raft'] as const;
export type RoleName = (typeof ROLE_NAMES)[number];

export const AVAILABLE_ROLES: readonly RoleName[] = ['raft'];
