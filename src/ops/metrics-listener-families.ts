/**
 * The listeners' metric families: connections refused (by listener and
 * reason: the connection caps, and the Raft transport's refusals on the
 * raft listener), requests closed by the HTTP server before a handler saw
 * them, and requests whose client left before the answer. Listener names
 * and reasons are bounded sets.
 */
import type { Family, ListenerReadings, Sample, ScrapeInput } from './metric-family.js';

const of =
  (read: (l: ListenerReadings) => Sample[]) =>
  ({ listeners }: ScrapeInput): readonly Sample[] =>
    listeners === undefined ? [] : read(listeners);

export const LISTENER_FAMILIES: readonly Family[] = [
  {
    name: 'dinc_connections_refused_total',
    type: 'counter',
    help: 'Connections a listener (web, raft) refused, by reason: listener-full and address-full (its connection caps), and on the raft listener the Raft transport\'s refusals (handshake-timeout, auth-failed, frame-timeout, ...).',
    labels: ['listener', 'reason'],
    read: of((l) => l.refusals().map(({ listener, reason, count }): Sample => [{ listener, reason }, count])),
  },
  {
    name: 'dinc_http_client_errors_total',
    type: 'counter',
    help: 'HTTP connections closed before a request reached a handler, by listener and reason (request-timeout, headers-too-large, bad-request, reset).',
    labels: ['listener', 'reason'],
    read: of((l) => l.entries().flatMap(([listener, c]) => Object.entries(c.clientErrors).map(([reason, n]): Sample => [{ listener, reason }, n]))),
  },
  {
    name: 'dinc_http_requests_aborted_total',
    type: 'counter',
    help: 'HTTP requests whose client disconnected before they were answered (mid-body, or while waiting), by listener.',
    labels: ['listener'],
    read: of((l) => l.entries().map(([listener, c]): Sample => [{ listener }, c.aborted])),
  },
];
