/**
 * Errors a user can meet. Each carries a stable code of the table in
 * error-codes.ts, listed with its meaning in docs/errors.md (a test keeps the
 * two in step), and the exit code the CLI ends with when the error reaches it.
 */
import type { ErrorCode } from './error-codes.js';

/** Exit codes of the CLI: 0 ok, 1 runtime failure, 2 bad usage or bad config. */
export const ExitCode = { Ok: 0, Failure: 1, Usage: 2 } as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

export abstract class AgentError extends Error {
  abstract readonly code: string;
  /** The CLI's exit code when this error ends a command. */
  readonly exitCode: ExitCode = ExitCode.Failure;
}

/** The config file or a flag has one or more invalid settings; `problems` lists every one. */
export class ConfigInvalidError extends AgentError {
  readonly code = 'DINC_CONFIG_INVALID' satisfies ErrorCode;
  override readonly exitCode = ExitCode.Usage;
  constructor(readonly problems: readonly string[]) {
    super(problems.join('\n'));
  }
}

/** The config file cannot be read (missing, a directory, no permission). */
export class ConfigUnreadableError extends AgentError {
  readonly code = 'DINC_CONFIG_UNREADABLE' satisfies ErrorCode;
  override readonly exitCode = ExitCode.Usage;
}

/** The command line is wrong: unknown command or option, missing argument. */
export class UsageError extends AgentError {
  readonly code = 'DINC_USAGE' satisfies ErrorCode;
  override readonly exitCode = ExitCode.Usage;
}

/** A listener could not bind its address (in use, not local, no permission). */
export class ListenFailedError extends AgentError {
  readonly code = 'DINC_LISTEN_FAILED' satisfies ErrorCode;
}

/** The data directory cannot be created or written. */
export class DataDirError extends AgentError {
  readonly code = 'DINC_DATA_DIR' satisfies ErrorCode;
}

/** A command could not reach the agent's HTTP API (`--addr`, or `[agent] web` of `--config`). */
export class AgentUnreachableError extends AgentError {
  readonly code = 'DINC_AGENT_UNREACHABLE' satisfies ErrorCode;
}

/** The agent answered a command's request with something that is not an answer: not JSON, not its error shape, or another version's. */
export class AgentRequestError extends AgentError {
  readonly code = 'DINC_AGENT_ERROR' satisfies ErrorCode;
}

/** The agent answered a command's request with an error in its common shape: its own code and message, passed on as they came. */
export class AgentAnswerError extends AgentError {
  constructor(
    readonly code: string,
    message: string,
    /** The HTTP status of the answer. */
    readonly status: number,
  ) {
    super(message);
  }
}

/** The agent ended a stream a command was following: it is stopping, or it dropped a reader too slow to keep up. */
export class AgentStreamEndedError extends AgentError {
  readonly code = 'DINC_STREAM_ENDED' satisfies ErrorCode;
}

/** The Raft write-ahead log or a snapshot file is damaged before its end: starting would drop committed data. The message names the file and byte offset. */
export class WalCorruptError extends AgentError {
  readonly code = 'DINC_WAL_CORRUPT' satisfies ErrorCode;
}

/** Another running agent (the pid in the message) holds the data directory's lock file. */
export class DataDirLockedError extends AgentError {
  readonly code = 'DINC_DATA_DIR_LOCKED' satisfies ErrorCode;
}

/** The Raft term on disk is at or above 2^48 (adopted from a forged message by an earlier version): no election can follow it. */
export class RaftTermExhaustedError extends AgentError {
  readonly code = 'DINC_RAFT_TERM_EXHAUSTED' satisfies ErrorCode;
}

/** `dinc-agent ready` waited its `--timeout` and the agent still cannot serve; the message says why. */
export class NotReadyError extends AgentError {
  readonly code = 'DINC_NOT_READY' satisfies ErrorCode;
}

/** A write or fsync of the Raft log failed with a media error (EIO, EROFS): the store stays read-only until the agent restarts. */
export class StorageFailedError extends AgentError {
  readonly code = 'DINC_STORAGE_FAILED' satisfies ErrorCode;
}
