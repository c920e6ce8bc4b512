/**
 * `dinc-agent status --watch`: the live status, full screen, until q, Ctrl-C
 * or a stop signal. The terminal is given back as it was (normal screen,
 * cursor shown, keyboard out of raw mode) however the watch ends.
 */
import type { LogOutput } from '../../ops/log.js';
import type { Signals } from '../../runtime/signals.js';
import { ScreenPainter } from './screen.js';
import { StatusStream } from './status-stream.js';
import type { Terminal } from './terminal.js';
import { watchScreen } from './watch-screen.js';

export interface WatchOptions {
  /** `ws://host:port/v1/stream`. */
  readonly url: string;
  /** Sent with the stream's upgrade request (the token). */
  readonly headers?: Readonly<Record<string, string>>;
  /** The agent watched, `host:port`, as shown on screen. */
  readonly target: string;
  readonly terminal: Terminal;
  readonly out: LogOutput;
  readonly signals: Signals;
  readonly color: boolean;
}

const CTRL_C = '\u0003';
/** Whether what was typed ends the watch: q, Q or Ctrl-C. */
const quits = (keys: string): boolean => [...keys].some((k) => k === 'q' || k === 'Q' || k === CTRL_C);
/** Redraws at least this often, so that ages go on while the connection is lost. */
const REDRAW_MS = 1000;

/** Resolves when the user quits; rejects, once the terminal is restored, when the agent answers with something else than the stream. */
export function watchStatus(opts: WatchOptions): Promise<void> {
  return new Promise((resolve, reject) => {
    const painter = new ScreenPainter(opts.out);
    const undo: (() => void)[] = [];
    let ended = false;
    const end = (error?: Error): void => {
      if (ended) return;
      ended = true;
      for (const step of undo.reverse()) step();
      painter.close();
      if (error === undefined) resolve();
      else reject(error);
    };
    const draw = (): void => {
      if (ended) return;
      try {
        painter.draw(watchScreen(stream.current, { size: opts.terminal.size(), color: opts.color, target: opts.target, nowMs: Date.now() }), opts.terminal.size());
      } catch (e) {
        end(e as Error);
      }
    };
    const stream = new StatusStream({ url: opts.url, headers: opts.headers, onChange: draw, onFatal: end });

    painter.open();
    try {
      undo.push(
        opts.terminal.readKeys((keys) => {
          if (quits(keys)) end();
        }),
      );
      for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) undo.push(opts.signals.on(signal, () => end()));
      undo.push(
        opts.terminal.onResize(() => {
          painter.invalidate();
          draw();
        }),
      );
      const ticker = setInterval(draw, REDRAW_MS);
      undo.push(() => clearInterval(ticker));
      undo.push(() => stream.stop());
      draw();
      stream.start();
    } catch (e) {
      end(e as Error);
    }
  });
}
