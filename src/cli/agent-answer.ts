/** Reads an error answer of the agent into the error a command ends with: the agent's own message and code on one line. */
import { AgentAnswerError, AgentRequestError } from '../errors.js';

/** Longest agent message shown; a longer one is cut short. */
const MAX_MESSAGE = 500;

/**
 * The error for an answer with status `status` and body `text` from `source`
 * (a URL): the agent's error shape `{"error":{"code","message"}}` gives an
 * AgentAnswerError carrying that code and message; anything else an
 * AgentRequestError that names the source and the status.
 */
export function answerError(status: number, text: string, source: string): AgentAnswerError | AgentRequestError {
  const err = errorShape(text);
  if (err === undefined) return new AgentRequestError(`${source} answered ${status} with something that is not the agent's error shape: ${oneLine(text) || '(empty)'}`);
  return new AgentAnswerError(err.code, oneLine(err.message) || `${source} answered ${status}`, status);
}

function errorShape(text: string): { code: string; message: string } | undefined {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return undefined;
  }
  const err = (body as { error?: { code?: unknown; message?: unknown } } | null)?.error;
  if (typeof err?.code !== 'string' || !/^DINC_[A-Z_]{1,60}$/.test(err.code)) return undefined;
  return { code: err.code, message: typeof err.message === 'string' ? err.message : '' };
}

/** `text` on one line, without control characters, at most MAX_MESSAGE characters. */
function oneLine(text: string): string {
  // eslint-disable-next-line no-control-regex
  const flat = text.replace(/[\x00-\x1f\x7f]+/g, ' ').replace(/\s+/g, ' ').trim();
  return flat.length > MAX_MESSAGE ? `${flat.slice(0, MAX_MESSAGE)}…` : flat;
}
