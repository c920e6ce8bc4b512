import { afterEach, describe, expect, it, vi } from 'vitest';
import { Lifecycle, type Part } from '../../../src/runtime/lifecycle.js';
import { memoryLogger } from '../../support/memory-log.js';

function recorder() {
  const calls: string[] = [];
  const part = (name: string, behaviour: { failStart?: boolean; failStop?: boolean; hangStop?: boolean } = {}): Part => ({
    name,
    start: () => {
      calls.push(`start ${name}`);
      return behaviour.failStart ? Promise.reject(new Error(`${name} cannot start`)) : Promise.resolve();
    },
    stop: () => {
      calls.push(`stop ${name}`);
      if (behaviour.hangStop) return new Promise(() => {});
      return behaviour.failStop ? Promise.reject(new Error(`${name} cannot stop`)) : Promise.resolve();
    },
  });
  return { calls, part };
}

afterEach(() => vi.useRealTimers());

describe('lifecycle', () => {
  it('starts parts in order and stops them in reverse', async () => {
    const { calls, part } = recorder();
    const life = new Lifecycle([part('a'), part('b'), part('c')], memoryLogger().log);
    await life.start(1000);
    expect(await life.stop(1000)).toBe(true);
    expect(calls).toEqual(['start a', 'start b', 'start c', 'stop c', 'stop b', 'stop a']);
  });

  it('a part that fails to start stops the ones already started and rethrows', async () => {
    const { calls, part } = recorder();
    const life = new Lifecycle([part('a'), part('b'), part('c', { failStart: true }), part('d')], memoryLogger().log);
    await expect(life.start(1000)).rejects.toThrow('c cannot start');
    expect(calls).toEqual(['start a', 'start b', 'start c', 'stop b', 'stop a']);
  });

  it('the roll-back of a failed start is bounded by the stop timeout', async () => {
    vi.useFakeTimers();
    const { calls, part } = recorder();
    const life = new Lifecycle([part('a', { hangStop: true }), part('b', { failStart: true })], memoryLogger().log);
    const started = life.start(1000).catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(1000);
    expect(await started).toEqual(new Error('b cannot start'));
    expect(calls).toEqual(['start a', 'start b', 'stop a']);
  });

  it('a part that fails to stop is logged, the others still stop, and the stop is not clean', async () => {
    const { calls, part } = recorder();
    const { log, records } = memoryLogger();
    const life = new Lifecycle([part('a'), part('b', { failStop: true }), part('c')], log);
    await life.start(1000);
    expect(await life.stop(1000)).toBe(false);
    expect(calls.slice(3)).toEqual(['stop c', 'stop b', 'stop a']);
    expect(records).toContainEqual(expect.objectContaining({ level: 'error', msg: 'part failed to stop', part: 'b' }));
  });

  it('a stop that passes its deadline abandons the parts still running', async () => {
    vi.useFakeTimers();
    const { calls, part } = recorder();
    const { log, records } = memoryLogger();
    const life = new Lifecycle([part('a'), part('b', { hangStop: true }), part('c')], log);
    await life.start(1000);
    const stopped = life.stop(5000);
    await vi.advanceTimersByTimeAsync(4999);
    expect(calls.slice(3)).toEqual(['stop c', 'stop b']);
    await vi.advanceTimersByTimeAsync(1);
    expect(await stopped).toBe(false);
    expect(records).toContainEqual(
      expect.objectContaining({ level: 'error', msg: 'stop deadline passed; abandoning the parts still running', abandoned: ['b', 'a'] }),
    );
    expect(await life.stop(5000)).toBe(true);
  });

  it('parts are told to let go at 80% of the deadline, and one that does stops cleanly', async () => {
    vi.useFakeTimers();
    const lettingGo: number[] = [];
    const part: Part = {
      name: 'web',
      start: async () => {},
      stop: (letGo) => new Promise((resolve) => letGo.addEventListener('abort', () => resolve(void lettingGo.push(Date.now())))),
    };
    const life = new Lifecycle([part], memoryLogger().log);
    await life.start(1000);
    const t0 = Date.now();
    const stopped = life.stop(5000);
    await vi.advanceTimersByTimeAsync(3999);
    expect(lettingGo).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(await stopped).toBe(true);
    expect(lettingGo).toEqual([t0 + 4000]);
  });

  it('reload reaches every running part', async () => {
    const seen: string[] = [];
    const part: Part = { name: 'p', start: async () => {}, stop: async () => {}, reload: (c) => seen.push(c.agent.id) };
    const life = new Lifecycle([part], memoryLogger().log);
    life.reload({ agent: { id: 'before-start' } } as never);
    await life.start(1000);
    life.reload({ agent: { id: 'x' } } as never);
    expect(seen).toEqual(['x']);
  });
});
