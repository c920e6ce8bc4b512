import { afterEach, describe, expect, it } from 'vitest';
import { LoadSampler } from '../../../src/runtime/membership/load-sampler.js';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
let sampler: LoadSampler | undefined;
afterEach(() => sampler?.stop());

describe('the load sampler', () => {
  it('sees a blocked event loop as lag and busy CPU', async () => {
    sampler = new LoadSampler();
    await sleep(300);
    sampler.sample();
    const until = Date.now() + 400;
    while (Date.now() < until); // block the loop
    await sleep(100);
    const load = sampler.sample();
    // One wake-up came at least 300 ms late: whatever the other wake-ups, the mean lag is well above zero.
    expect(load.lagMs).toBeGreaterThan(10);
    expect(load.cpu).toBeGreaterThan(0);
  });

  it('counts a loop that is still blocked when sampled', () => {
    sampler = new LoadSampler();
    const until = Date.now() + 200;
    while (Date.now() < until);
    expect(sampler.sample().lagMs).toBeGreaterThan(100);
  });
});
