/**
 * Every error code a user can meet, in one table: for the codes the CLI ends
 * with, its exit code and meaning; for the codes the HTTP APIs answer with, the
 * statuses they come with and their meaning. docs/errors.md lists the same
 * (its HTTP table is rendered by `renderHttpErrorTable`; test/unit/docs.test.ts
 * keeps both in step). Codes never change meaning: add, never rename.
 */

/** An HTTP status an error code comes with. */
export type HttpStatus = 400 | 401 | 403 | 404 | 405 | 408 | 409 | 413 | 431 | 500 | 503 | 504 | 507;

interface CodeInfo {
  /** When the CLI ends with this code: the exit code (1 runtime failure, 2 bad usage or config) and what it means. */
  readonly cli?: { readonly exit: 1 | 2; readonly meaning: string };
  /** When an HTTP API answers with this code: the statuses it comes with and what it means. */
  readonly http?: { readonly status: readonly HttpStatus[]; readonly meaning: string };
}

export const ERROR_CODES = {
  DINC_USAGE: {
    cli: { exit: 2, meaning: 'The command line is wrong: unknown command or option, missing argument.' },
  },
  DINC_CONFIG_INVALID: {
    cli: { exit: 2, meaning: 'One or more settings are invalid. Each is listed as `file:line: [section] key = value: what is valid` (or `--flag value: ...`).' },
  },
  DINC_CONFIG_UNREADABLE: {
    cli: { exit: 2, meaning: 'The config file cannot be read: missing, a directory, or no permission.' },
  },
  DINC_LISTEN_FAILED: {
    cli: { exit: 1, meaning: 'A listener could not bind its address: in use, not an address of this host, or a privileged port.' },
  },
  DINC_AGENT_UNREACHABLE: {
    cli: { exit: 1, meaning: 'A command (`status`, `members`, `join`, `monitor`, `raft list-peers` and the other `raft` subcommands) could not reach the agent\'s HTTP API.' },
  },
  DINC_AGENT_ERROR: {
    cli: { exit: 1, meaning: 'The agent answered a command\'s request with something a command cannot read: not JSON, not the error shape, or a status snapshot of another version. When the agent answers with its error shape, the command shows the agent\'s own message and code instead, `dinc-agent: no such endpoint: /nope (DINC_NOT_FOUND)`, and exits 1.' },
  },
  DINC_STREAM_ENDED: {
    cli: { exit: 1, meaning: 'The agent ended a stream that a command (`monitor`) was following: the agent is stopping, or it dropped the command for reading more than 1 MiB behind.' },
  },
  DINC_DATA_DIR: {
    cli: { exit: 1, meaning: '`[agent] data_dir` cannot be created or written, or is not a directory.' },
  },
  DINC_STOP_TIMEOUT: {
    cli: { exit: 1, meaning: 'The agent did not stop within `[agent] stop_timeout` and exited anyway.' },
  },
  DINC_DATA_DIR_LOCKED: {
    cli: { exit: 1, meaning: 'Another running agent holds the data directory: its `LOCK` file names a live process (the pid is in the message). A lock left by a dead process is taken over with a warning.' },
  },
  DINC_WAL_CORRUPT: {
    cli: { exit: 1, meaning: 'The Raft write-ahead log or a snapshot file is damaged before its end (a bad record followed by valid data, or in a segment that is not the last): starting would drop committed data. The message names the file and the byte offset. A torn last record is not this: it is cut off with a warning.' },
  },
  DINC_RAFT_TERM_EXHAUSTED: {
    cli: { exit: 1, meaning: 'The Raft term stored in the data directory is at or above 2^48. No real group gets there (one election a millisecond would take 8,900 years): an earlier version adopted it from a forged message, and this version refuses such terms, so no election could follow. The member refuses to start rather than run a group that can never elect.' },
  },
  DINC_STORAGE_FAILED: {
    cli: { exit: 1, meaning: 'A write or fsync of the Raft log failed with a media error (EIO, EROFS, or an error not known to pass): the failing write and every later one are refused (HTTP 507 on the Raft API; the member stops voting and serves stale reads); what was durable stays readable and intact. A full disk or running out of file descriptors is not this (see `DINC_STORAGE_RETRYING`).' },
    http: { status: [507], meaning: 'Raft API: a write or fsync of this member\'s Raft log failed with a media error; the write was refused, and every later one will be until the disk is repaired and the agent restarted. Stale reads are still served.' },
  },
  DINC_NOT_READY: {
    cli: { exit: 1, meaning: '`dinc-agent ready` waited `--timeout` and the agent still cannot serve; the message gives the reason `/ready` last gave (no leader, applying entries, storage retrying, removed from the group, not listening yet).' },
    http: { status: [503], meaning: '`GET /ready`: this agent or member cannot serve yet; the message says why. Comes with `Retry-After: 1`.' },
  },
  DINC_NOT_FOUND: {
    http: { status: [404], meaning: 'No endpoint at that path.' },
  },
  DINC_METHOD_NOT_ALLOWED: {
    http: { status: [405], meaning: 'The endpoint exists but not for that method; the `Allow` header lists the methods it takes.' },
  },
  DINC_BAD_REQUEST: {
    http: { status: [400, 431], meaning: 'The body is not UTF-8 JSON, or not the shape the endpoint takes; a key or a percent-encoded path or parameter is not valid UTF-8 text; the request is not valid HTTP/1.1, or its headers are over 16 KiB (431, and the connection is closed). The message says what is wrong.' },
  },
  DINC_UNAUTHORIZED: {
    http: { status: [401], meaning: '`[agent] api_token` is set and the request changes state (or is a read, with `api_token_reads = true`) but lacks `Authorization: Bearer <token>`, or has another. The CLI sends it with `--token` or the `DINC_API_TOKEN` environment variable.' },
  },
  DINC_CROSS_ORIGIN: {
    http: { status: [403], meaning: 'A browser page of another origin (its `Origin` header names another host than the request\'s `Host`) asked to change state or open a WebSocket; refused whatever the token. Clients that are not browsers send no `Origin`.' },
  },
  DINC_REQUEST_TIMEOUT: {
    http: { status: [408], meaning: 'The request\'s headers did not arrive within 10 s, or the whole request within 30 s; the connection is closed.' },
  },
  DINC_BODY_TOO_LARGE: {
    http: { status: [413], meaning: 'The body is over 64 KiB (a Raft value over 512 KiB).' },
  },
  DINC_INTERNAL: {
    http: { status: [500], meaning: 'A bug: the handler failed. The agent logs the details and keeps serving.' },
  },
  DINC_KEY_NOT_FOUND: {
    http: { status: [404], meaning: 'Raft key/value API: the key is absent (a get, or a delete of a missing key).' },
  },
  DINC_CAS_FAILED: {
    http: { status: [409], meaning: 'Raft key/value API: the key\'s revision is not the `cas` given; nothing was written. The error carries the current `revision`.' },
  },
  DINC_STALE_SEQUENCE: {
    http: { status: [409], meaning: 'Raft API: a write with `x-dinc-seq` lower than one of the same `x-dinc-client` already applied; it was not applied.' },
  },
  DINC_NO_LEADER: {
    http: { status: [503], meaning: 'Raft API: no leader is known, or the known one cannot be reached; nothing was applied. Comes with `Retry-After`.' },
  },
  DINC_NOT_APPLIED: {
    http: { status: [503], meaning: 'Raft API: a leadership change overwrote the write, a transfer is in progress, or a group change is still being committed; nothing was applied. Comes with `Retry-After`.' },
  },
  DINC_NO_SUCH_MEMBER: {
    http: { status: [404], meaning: 'Raft API: the member named (`raft transfer-leader ID`) is not in the group; nothing was applied, and retrying will not help.' },
  },
  DINC_REJECTED: {
    http: { status: [409], meaning: 'Raft API: the group\'s state forbids the change (hand leadership to a learner, or with no other voter; remove the last voter); nothing was applied, and retrying the same request will not help.' },
  },
  DINC_STORAGE_RETRYING: {
    http: { status: [503], meaning: 'Raft API: this member\'s disk refuses writes for now (ENOSPC, EDQUOT, EMFILE, ENFILE, ENOMEM); it retries with back-off (100 ms doubling to 5 s) and resumes by itself; nothing was applied. Comes with `Retry-After`. Stale reads are still served.' },
  },
  DINC_TIMEOUT: {
    http: { status: [504], meaning: 'Raft API: no answer within 5 s; the write may or may not have been applied. Read it back, or write with `cas`.' },
  },
} as const satisfies Record<`DINC_${string}`, CodeInfo>;

/** A stable error code; a typo is a type error. */
export type ErrorCode = keyof typeof ERROR_CODES;

/** The codes an HTTP API answers with. */
export type HttpErrorCode = { [C in ErrorCode]: (typeof ERROR_CODES)[C] extends { readonly http: object } ? C : never }[ErrorCode];

/** The statuses `code` comes with: `new HttpError(404, 'DINC_BAD_REQUEST', ...)` does not type-check. */
export type StatusOf<C extends HttpErrorCode> = C extends unknown ? (typeof ERROR_CODES)[C] extends { readonly http: { readonly status: readonly (infer S)[] } } ? S : never : never;

/** docs/errors.md's HTTP API table: code, statuses, meaning. */
export function renderHttpErrorTable(): string {
  // The codes only the HTTP APIs answer with first, then those the CLI also ends with.
  const rows = Object.entries(ERROR_CODES as Record<ErrorCode, CodeInfo>)
    .sort(([, a], [, b]) => Number(a.cli !== undefined) - Number(b.cli !== undefined))
    .flatMap(([code, { http }]) => (http === undefined ? [] : [`| \`${code}\` | ${http.status.join(', ')} | ${http.meaning} |`]));
  return ['| code | status | meaning |', '|---|---|---|', ...rows].join('\n') + '\n';
}
