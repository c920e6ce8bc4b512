import { it } from 'vitest';
import { MembershipSim } from './membership-cluster.js';
it('smoke', () => {
  const sim = new MembershipSim({ seed: 1, nodes: 50, codec: false, network: { loss: 0.1 }, recordEvents: true });
  let total = 0, toTarget = 0; const senders = new Set<string>(); const byTarget = new Map<string, number>();
  sim.onPacket((p) => {
    if (p.time < 135000 || p.time > 150000) return;
    for (const m of p.messages) if (m.type === 5 && m.id === 'node010' && m.incarnation === 1) { total++; senders.add(p.from); byTarget.set(p.to, (byTarget.get(p.to) ?? 0) + 1); if (p.to === 'node010') toTarget++; }
  });
  sim.runUntil(151000);
  console.log({ total, toTarget, senders: senders.size, byTarget: [...byTarget].sort() });
}, 600000);
