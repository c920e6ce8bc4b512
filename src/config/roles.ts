/**
 * The roles an agent can take on (DESIGN.md, "Roles"). `ROLE_NAMES` is every
 * role the design names, each with its own config section; `AVAILABLE_ROLES`
 * is the subset this build can run. `[agent] roles` accepts only the latter.
 * The names live in config/ because the config validates them and the roles
 * (src/roles/) sit above the config in the layers (eslint.config.js).
 */
export const ROLE_NAMES = ['registry', 'node', 'balancer', 'raft'] as const;
export type RoleName = (typeof ROLE_NAMES)[number];

export const AVAILABLE_ROLES: readonly RoleName[] = ['raft'];
