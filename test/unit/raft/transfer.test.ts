// Leadership transfer (thesis §3.10): the leader brings the target up to
// date, tells it to campaign at once, and refuses proposals meanwhile.
import { describe, expect, it } from 'vitest';
import { Network, TEST_CONFIG, bytes } from './harness.js';

const ABC = ['a', 'b', 'c'];

describe('leadership transfer', () => {
  it('an up-to-date target takes over in the next term; proposals are refused while it does', () => {
    const net = new Network(ABC);
    net.elect('a');
    net.propose('a', 'x');
    net.stabilize();
    expect(net.node('a').transferLeadership('b')).toBeNull();
    expect(net.node('a').propose(bytes('during'))).toMatchObject({ ok: false, error: 'busy' });
    net.stabilize();
    expect(net.leaders()).toEqual(['b']);
    expect(net.node('b').status().term).toBe(2);
    expect(net.node('a').status()).toMatchObject({ role: 'follower', leader: 'b' });
    expect(net.node('a').propose(bytes('after'))).toEqual({ ok: false, error: 'not-leader', leader: 'b' });
  });

  it('a lagging target is brought up to date first, and leads with every entry', () => {
    const net = new Network(ABC);
    net.elect('a');
    net.isolate('b');
    for (let i = 0; i < 10; i++) net.propose('a', `p${i}`);
    net.stabilize();
    expect(net.node('a').transferLeadership('b')).toBeNull();
    net.stabilize();
    expect(net.leaders()).toEqual(['a']);
    net.heal();
    net.tick(2);
    expect(net.leaders()).toEqual(['b']);
    net.propose('b', 'by-b');
    net.tick(1);
    for (const id of ABC) expect(net.get(id).applied).toHaveLength(11);
  });

  it('a transfer that does not finish within an election timeout is abandoned', () => {
    const net = new Network(ABC);
    net.elect('a');
    net.isolate('b');
    expect(net.node('a').transferLeadership('b')).toBeNull();
    net.tick(TEST_CONFIG.electionTicks - 1, ['a', 'c']);
    expect(net.node('a').propose(bytes('x'))).toMatchObject({ ok: false, error: 'busy' });
    net.tick(1, ['a', 'c']);
    expect(net.node('a').propose(bytes('x')).ok).toBe(true);
    expect(net.leaders()).toEqual(['a']);
  });

  it('only a leader transfers, and only to a voter', () => {
    const net = new Network(ABC);
    net.elect('a');
    expect(net.node('b').transferLeadership('c')).toEqual({ error: 'not-leader', leader: 'a' });
    expect(net.node('a').transferLeadership('zz')).toMatchObject({ error: 'conf-change-rejected' });
    expect(net.node('a').transferLeadership('a')).toBeNull();
    expect(net.leaders()).toEqual(['a']);
  });

  it('a follower ignores timeout-now from anyone but its leader', () => {
    const net = new Network(ABC);
    net.elect('a');
    net.node('b').step({ type: 'timeout-now', from: 'c', to: 'b', term: 1 });
    net.stabilize();
    expect(net.leaders()).toEqual(['a']);
  });
});
