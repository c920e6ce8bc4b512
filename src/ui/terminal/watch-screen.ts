/**
 * One frame of `dinc-agent status --watch`: a line on the connection, then
 * the status view, cut to the terminal's height. Pure: the frame depends only
 * on its arguments.
 */
import { clockTime } from './format.js';
import { joinParts, span, type Line, type Part } from './line.js';
import { painter } from './palette.js';
import { statusLines } from './render-status.js';
import type { StreamView } from './status-stream.js';
import type { TerminalSize } from './terminal.js';

export interface WatchScreenOptions {
  readonly size: TerminalSize;
  readonly color: boolean;
  /** The agent watched, `host:port`. */
  readonly target: string;
  /** Local time (ms): while the connection is lost, "last seen" ages go on counting from the last snapshot. */
  readonly nowMs: number;
}

const ALWAYS = Number.POSITIVE_INFINITY;

/** The frame's lines, painted, at most `size.rows` of them and each at most `size.columns` wide. */
export function watchScreen(view: StreamView, opts: WatchScreenOptions): string[] {
  const { columns, rows } = opts.size;
  const s = view.snapshot;
  const lines: Line[] = [joinParts(connectionParts(view, opts.target), columns)];
  if (s !== null) {
    const age = view.connection.state === 'live' ? 0 : Math.max(0, opts.nowMs - view.receivedAt);
    lines.push([], ...statusLines(s, columns, Date.parse(s.time) + age));
  }
  const shown = lines.length <= rows ? lines : [...lines.slice(0, Math.max(0, rows - 1)), joinParts([{ rank: ALWAYS, spans: [span(`… ${lines.length - rows + 1} more lines: enlarge the terminal`, 'muted')] }], columns)];
  return shown.slice(0, rows).map(painter(opts.color));
}

function connectionParts(view: StreamView, target: string): Part[] {
  const c = view.connection;
  if (c.state === 'live') return [{ rank: ALWAYS, spans: [span(`Live from ${target}`, 'good')] }, { rank: 1, spans: [span('q or Ctrl-C quits', 'muted')] }];
  if (c.state === 'connecting') return [{ rank: ALWAYS, spans: [span(`Connecting to ${target}…`, 'warn')] }];
  const tried = c.retries === 0 ? '' : `; tried ${c.retries} time${c.retries === 1 ? '' : 's'}`;
  if (view.snapshot === null) return [{ rank: ALWAYS, spans: [span(`No connection to ${target}, retrying…`, 'bad')] }, { rank: 2, spans: [span(`(${c.error}${tried})`, 'muted')] }];
  return [
    { rank: ALWAYS, spans: [span('Connection lost, reconnecting…', 'bad')] },
    { rank: 2, spans: [span(`(${c.error}${tried})`, 'muted')] },
    { rank: 1, spans: [span(`showing ${clockTime(view.snapshot.time)} UTC`, 'muted')] },
  ];
}
