/**
 * Failure detection: each round this member pings one other member (in a
 * shuffled round-robin order), asks a few helpers to ping it indirectly when
 * no ack comes in time, and suspects it when none comes by the round's end.
 * It also answers pings and relays other members' indirect probes, with a
 * nack when the target stays silent. Lifeguard's awareness scales the
 * timeouts with this member's own health.
 */
import { onSuspect } from './claims.js';
import { MsgType, type IndirectPing, type Ping } from './messages.js';
import type { MemberRecord, MembershipState, Probe } from './state.js';
import type { Address } from './types.js';

/** Answers a ping meant for this member. */
export function onPing(s: MembershipState, from: Address, m: Ping): void {
  if (m.target !== s.id || s.leaving) return;
  s.send(from, { type: MsgType.Ack, seq: m.seq, from: s.id });
}

/** Pings the target on another member's behalf; the ack (or a nack at the deadline) goes back to it. */
export function onIndirectPing(s: MembershipState, m: IndirectPing, now: number): void {
  if (s.leaving) return;
  const seq = s.nextSeq();
  // Nack at 80% of the timeout so that it reaches the prober before its round ends.
  s.relays.set(seq, { to: m.fromAddr, seq: m.seq, nack: m.nack, deadline: now + Math.floor(s.awareness.scale(s.config.probeTimeoutMs) * 0.8) });
  s.send(m.targetAddr, { type: MsgType.Ping, seq, target: m.target, from: s.id, fromAddr: s.self().addr });
}

/** An ack: either for a relayed ping (passed on to the prober) or for this member's own probe. */
export function onAck(s: MembershipState, seq: number, now: number): void {
  const relay = s.relays.get(seq);
  if (relay) {
    s.relays.delete(seq);
    s.send(relay.to, { type: MsgType.Ack, seq: relay.seq, from: s.id });
    return;
  }
  const probe = s.probe;
  if (probe?.seq === seq && probe.acked === 'no') {
    probe.acked = probe.indirectSent ? 'indirect' : 'direct';
    s.heard(probe.target, now);
  }
}

/** A helper says the target of our probe did not answer it. */
export function onNack(s: MembershipState, seq: number): void {
  if (s.probe?.seq === seq) s.probe.nacks++;
}

/** Starts the next probe round: pings the next member in the order. */
export function startProbe(s: MembershipState, now: number): void {
  const target = nextProbeTarget(s);
  const interval = s.awareness.scale(s.config.probeIntervalMs);
  s.nextProbeAt = now + interval;
  if (target === undefined) return;
  s.counts.probes++;
  const seq = s.nextSeq();
  s.probe = {
    seq,
    target: target.id,
    startedAt: now,
    directDeadline: now + s.awareness.scale(s.config.probeTimeoutMs),
    endDeadline: now + interval,
    acked: 'no',
    indirectSent: false,
    nacksExpected: 0,
    nacks: 0,
  };
  const ping: Ping = { type: MsgType.Ping, seq, target: target.id, from: s.id, fromAddr: s.self().addr };
  // Lifeguard's buddy system: tell a suspect directly, so it can refute at once.
  if (target.state === 'suspect') s.send(target.addr, ping, { type: MsgType.Suspect, id: target.id, incarnation: target.incarnation, from: s.id });
  else s.send(target.addr, ping);
}

/** Moves the running probe on: indirect pings after the direct timeout, a verdict at the round's end. */
export function advanceProbe(s: MembershipState, now: number): void {
  const probe = s.probe as Probe;
  const target = s.records.get(probe.target);
  if (probe.acked === 'no' && !probe.indirectSent && now >= probe.directDeadline && target) {
    probe.indirectSent = true;
    const helpers = s.randomMembers(s.config.indirectChecks, (r) => r.state === 'alive' && r.id !== probe.target);
    probe.nacksExpected = helpers.length;
    s.counts.indirectProbes += helpers.length;
    for (const h of helpers) {
      s.send(h.addr, { type: MsgType.IndirectPing, seq: probe.seq, target: probe.target, targetAddr: target.addr, from: s.id, fromAddr: s.self().addr, nack: true });
    }
  }
  if (probe.acked === 'no' && now < probe.endDeadline) return;
  s.probe = undefined;
  if (probe.acked === 'direct') s.awareness.apply(-1);
  if (probe.acked !== 'no' || target === undefined || (target.state !== 'alive' && target.state !== 'suspect')) return;
  // No ack at all: doubt ourselves in proportion to the nacks that did not come, then suspect (or confirm).
  s.awareness.apply(probe.nacksExpected > 0 ? probe.nacksExpected - probe.nacks : 1);
  onSuspect(s, { type: MsgType.Suspect, id: target.id, incarnation: target.incarnation, from: s.id }, now);
}

/** Drops relays whose time ran out, nacking those that asked for it. */
export function expireRelays(s: MembershipState, now: number): void {
  for (const [seq, relay] of s.relays) {
    if (now < relay.deadline) continue;
    s.relays.delete(seq);
    if (relay.nack) s.send(relay.to, { type: MsgType.Nack, seq: relay.seq, from: s.id });
  }
}

function nextProbeTarget(s: MembershipState): MemberRecord | undefined {
  for (let tries = 0; tries <= s.probeOrder.length; tries++) {
    if (s.probeIndex >= s.probeOrder.length) {
      s.probeOrder = s.rng.shuffle([...s.records.keys()].filter((id) => id !== s.id));
      s.probeIndex = 0;
      if (s.probeOrder.length === 0) return undefined;
    }
    const r = s.records.get(s.probeOrder[s.probeIndex++] as string);
    if (r && (r.state === 'alive' || r.state === 'suspect')) return r;
  }
  return undefined;
}
