// Commands forwarded by a follower to the leader (the `propose` message, etcd's MsgProp).
import { describe, expect, it } from 'vitest';
import { Network, bytes } from './harness.js';

const ABC = ['a', 'b', 'c'];

describe('forwarding a command to the leader', () => {
  it('a follower sends it to the leader, which appends and commits it; every server applies it', () => {
    const net = new Network(ABC);
    net.elect('a');
    expect(net.node('b').forward(bytes('from-b'))).toBeNull();
    net.stabilize();
    net.tick(1);
    for (const id of ABC) expect(net.get(id).applied).toEqual(['from-b']);
  });

  it('the leader proposes it itself; a server that knows no leader refuses it', () => {
    const net = new Network(ABC);
    expect(net.node('a').forward(bytes('x'))).toEqual({ error: 'not-leader', leader: null });
    net.elect('a');
    expect(net.node('a').forward(bytes('on-leader'))).toBeNull();
    net.stabilize();
    net.tick(1);
    expect(net.get('c').applied).toEqual(['on-leader']);
  });

  it('a server that no longer leads drops it, and its term deposes no one', () => {
    const net = new Network(ABC);
    net.elect('a');
    const term = net.node('a').status().term;
    // A stale follower's view: it still thinks b leads, in a later term.
    net.node('b').step({ type: 'propose', from: 'c', to: 'b', term: term + 5, entries: [bytes('to-a-follower')] });
    net.node('a').step({ type: 'propose', from: 'c', to: 'a', term: term + 5, entries: [bytes('one'), bytes('two')] });
    net.stabilize();
    net.tick(1);
    expect(net.node('a').status()).toMatchObject({ role: 'leader', term });
    expect(net.get('b').applied).toEqual(['one', 'two']);
  });
});
