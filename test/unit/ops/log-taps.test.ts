import { describe, expect, it } from 'vitest';
import { Logger, type LogRecord } from '../../../src/ops/log.js';

const at = new Date('2026-11-22T03:04:05.678Z');

function setup(level: 'debug' | 'info' | 'warn' | 'error') {
  const lines: string[] = [];
  let clockReads = 0;
  const log = Logger.create({ write: (s: string) => lines.push(s) }, { level, format: 'json', color: false }, () => {
    clockReads++;
    return at;
  });
  return { log, lines, clockReads: () => clockReads };
}

describe('log taps', () => {
  it("a tap sees records below the logger's own level, from every relative, and the output stays as it was", () => {
    const { log, lines } = setup('info');
    const seen: LogRecord[] = [];
    log.tap('debug', (r) => seen.push(r));
    log.child({ part: 'web' }).debug('quiet detail', { n: 1 });
    log.info('said aloud');
    expect(seen).toEqual([
      { time: at, level: 'debug', msg: 'quiet detail', fields: { part: 'web', n: 1 } },
      { time: at, level: 'info', msg: 'said aloud', fields: {} },
    ]);
    expect(lines.map((l) => (JSON.parse(l) as { msg: string }).msg)).toEqual(['said aloud']);
  });

  it('a tap sees only its level and above, whatever the logger is reconfigured to', () => {
    const { log } = setup('debug');
    const seen: string[] = [];
    log.tap('warn', (r) => seen.push(r.level));
    log.configure({ level: 'error' });
    for (const level of ['debug', 'info', 'warn', 'error'] as const) log[level]('x');
    expect(seen).toEqual(['warn', 'error']);
  });

  it('a tap added through a child sees the parent, and unsubscribing stops it', () => {
    const { log } = setup('error');
    const seen: string[] = [];
    const untap = log.child({ part: 'membership' }).tap('info', (r) => seen.push(r.msg));
    log.info('one');
    untap();
    log.info('two');
    expect(seen).toEqual(['one']);
  });

  it('a tap may unsubscribe while it receives; the other taps still get that record', () => {
    const { log } = setup('error');
    const seen: string[] = [];
    const untapFirst = log.tap('info', (r) => {
      seen.push(`first ${r.msg}`);
      untapFirst();
    });
    log.tap('info', (r) => seen.push(`second ${r.msg}`));
    log.info('a');
    log.info('b');
    expect(seen).toEqual(['first a', 'second a', 'second b']);
  });

  it('a record nobody wants costs nothing: no clock read, no formatting', () => {
    const { log, lines, clockReads } = setup('info');
    log.tap('warn', () => undefined);
    log.debug('unwanted', { big: { nested: true } });
    log.info('unwanted by the tap, wanted by the output');
    expect(clockReads()).toBe(1);
    expect(lines).toHaveLength(1);
  });
});
