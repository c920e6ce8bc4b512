import { describe, expect, it } from 'vitest';
import { Logger, formatJson, formatText } from '../../../src/ops/log.js';

const at = new Date('2026-11-22T03:04:05.678Z');

function capture(isTTY: boolean) {
  const lines: string[] = [];
  const out = { write: (s: string) => lines.push(s), isTTY };
  return { lines, out };
}

describe('logging', () => {
  it('JSON lines carry time, level, message and fields; errors keep message and code', () => {
    const err = Object.assign(new Error('boom'), { code: 'DINC_X' });
    expect(JSON.parse(formatJson(at, 'warn', 'hello', { part: 'web', error: err }))).toEqual({
      time: '2026-11-22T03:04:05.678Z',
      level: 'warn',
      msg: 'hello',
      part: 'web',
      error: { message: 'boom', code: 'DINC_X' },
    });
  });

  it('text lines are readable and quote values with spaces', () => {
    expect(formatText(at, 'info', 'web listening', { part: 'web', note: 'two words', n: 3 }, false)).toBe(
      '2026-11-22T03:04:05.678Z INFO  web listening  part=web note="two words" n=3',
    );
  });

  it('text lines are coloured only when asked', () => {
    const ESC = '\u001b';
    expect(formatText(at, 'error', 'x', {}, true)).toContain(`${ESC}[31mERROR${ESC}[39m`);
    expect(formatText(at, 'error', 'x', {}, false)).not.toContain(ESC);
  });

  it('auto picks text on a terminal and JSON otherwise', () => {
    const tty = capture(true);
    Logger.create(tty.out, { level: 'info', format: 'auto', color: false }, () => at).info('hi');
    expect(tty.lines).toEqual(['2026-11-22T03:04:05.678Z INFO  hi\n']);
    const pipe = capture(false);
    Logger.create(pipe.out, { level: 'info', format: 'auto', color: false }, () => at).info('hi');
    expect(pipe.lines).toEqual(['{"time":"2026-11-22T03:04:05.678Z","level":"info","msg":"hi"}\n']);
  });

  it('lines below the level are dropped, and a change of level reaches children', () => {
    const { lines, out } = capture(false);
    const log = Logger.create(out, { level: 'warn', format: 'json', color: false }, () => at);
    const child = log.child({ part: 'web' });
    child.info('hidden');
    child.warn('shown');
    log.configure({ level: 'debug' });
    child.debug('now shown');
    expect(lines.map((l) => (JSON.parse(l) as { msg: string; part: string }).msg)).toEqual(['shown', 'now shown']);
    expect(JSON.parse(lines[0] as string)).toMatchObject({ part: 'web' });
  });
});
