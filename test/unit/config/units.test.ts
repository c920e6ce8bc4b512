import { describe, expect, it } from 'vitest';
import { formatDuration, formatSize, parseDuration, parseSize } from '../../../src/config/units.js';

describe('durations', () => {
  it.each([
    ['500ms', 500],
    ['2s', 2000],
    ['1m', 60_000],
    ['1m30s', 90_000],
    ['1.5s', 1500],
    ['2h', 7_200_000],
    ['1d', 86_400_000],
    ['0', 0],
    [' 3s ', 3000],
  ])('%s is %i ms', (text, ms) => expect(parseDuration(text)).toBe(ms));

  it('a bare number is refused with a hint to add a unit', () => {
    expect(() => parseDuration('500')).toThrow(/needs a unit/);
  });

  it.each(['', 's', '5 s', '5sec', '-1s', '1s2', 'ms5', '1e3ms'])('%j is refused', (text) => {
    expect(() => parseDuration(text)).toThrow(RangeError);
  });

  it('writes values back in the largest exact unit', () => {
    expect([0, 250, 1000, 1500, 60_000, 90_000, 3_600_000].map(formatDuration)).toEqual(['0', '250ms', '1s', '1500ms', '1m', '90s', '1h']);
  });
});

describe('sizes', () => {
  it.each([
    ['512', 512],
    ['512B', 512],
    ['64KiB', 65_536],
    ['64kib', 65_536],
    ['1MB', 1_000_000],
    ['1MiB', 1_048_576],
    ['2GiB', 2 * 1024 ** 3],
    ['1.5KiB', 1536],
  ])('%s is %i bytes', (text, bytes) => expect(parseSize(text)).toBe(bytes));

  it.each(['', 'KiB', '1 XB', '-1KiB', '1e3', '1constructor'])('%j is refused', (text) => {
    expect(() => parseSize(text)).toThrow(/must be a size/);
  });

  it('refuses sizes beyond a safe integer', () => {
    expect(() => parseSize('99999999999GiB')).toThrow(/too large/);
  });

  it('writes values back in the largest exact binary unit', () => {
    expect([0, 100, 65_536, 1_048_576, 1025].map(formatSize)).toEqual(['0B', '100B', '64KiB', '1MiB', '1025B']);
  });
});
