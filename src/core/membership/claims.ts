/**
 * What a member believes when told that another is alive, suspect, dead or
 * gone, and how it defends itself: a claim is believed only for a newer
 * incarnation (bounded, see incarnation.ts), a suspicion runs Lifeguard's
 * shrinking timeout (suspicion.ts) and ends in death unless refuted, and a
 * claim against this member itself is refuted by outbidding its incarnation.
 */
import { INCARNATION_CEILING } from './incarnation.js';
import { MsgType, type Alive, type Dead, type Suspect } from './messages.js';
import type { MemberRecord, MembershipState } from './state.js';
import { Suspicion, expectedConfirmations, suspicionBounds } from './suspicion.js';
import type { Address } from './types.js';

/** Believes an alive claim: learns a new member, revives or updates a known one, or refutes a stale claim about itself. */
export function onAlive(s: MembershipState, claim: Alive, now: number): void {
  const incarnation = s.believe(claim.id, claim.incarnation, now);
  if (incarnation === undefined) return;
  const m = incarnation === claim.incarnation ? claim : { ...claim, incarnation };
  if (m.id === s.id) {
    const self = s.self();
    // A stale or foreign claim about us (an earlier life, a replay): outbid it.
    if (!s.leaving && m.incarnation >= self.incarnation && (m.incarnation > self.incarnation || !sameClaim(m, self))) {
      refute(s, self, m.incarnation, now);
    }
    return;
  }
  const r = s.records.get(m.id);
  if (r === undefined) {
    const added: MemberRecord = { id: m.id, addr: m.addr, incarnation: m.incarnation, state: 'alive', meta: m.meta, stateChangedAt: now };
    s.records.set(m.id, added);
    s.probeOrder.splice(s.rng.int(s.probeOrder.length + 1), 0, m.id);
    s.broadcasts.add(m.id, m);
    s.event('join', added);
    return;
  }
  if (m.incarnation <= r.incarnation) return;
  const wasLive = r.state === 'alive';
  const changed = !sameClaim(m, r);
  r.incarnation = m.incarnation;
  r.addr = m.addr;
  r.meta = m.meta;
  s.suspicions.delete(m.id);
  s.broadcasts.add(m.id, m);
  if (!wasLive) {
    const wasGone = r.state === 'dead' || r.state === 'left';
    r.state = 'alive';
    r.stateChangedAt = now;
    s.event('alive', r);
    // A member back from the dead may have restarted with nothing: give it our whole view now.
    if (wasGone && !s.leaving) s.out.exchanges.push({ to: r.addr, message: s.pushPull(false) });
  } else if (changed) {
    s.event('update', r);
  }
}

/** Believes a suspect claim: starts or confirms a suspicion, or refutes one of itself. `via`: the address the message came from, when it came in a packet. */
export function onSuspect(s: MembershipState, claim: Suspect, now: number, via?: Address): void {
  const incarnation = s.believe(claim.id, claim.incarnation, now);
  const m = incarnation === claim.incarnation ? claim : { ...claim, incarnation: incarnation ?? -1 };
  if (m.id === s.id) {
    if (s.leaving) return;
    const self = s.self();
    if (incarnation !== undefined && m.incarnation >= self.incarnation) {
      s.awareness.apply(1);
      s.counts.refutes++;
      refute(s, self, m.incarnation, now);
    }
    answerRumour(s, via);
    return;
  }
  const r = s.records.get(m.id);
  if (incarnation === undefined || r === undefined || m.incarnation < r.incarnation || r.state === 'dead' || r.state === 'left') return;
  const running = s.suspicions.get(m.id);
  if (r.state === 'suspect' && running && running.incarnation === m.incarnation) {
    if (!running.confirm(m.from)) return;
    s.broadcasts.add(m.id, m);
    // The timeout just shortened: ask the suspect itself, which answers with its refutation if it lives.
    if (m.from !== s.id) s.send(r.addr, { type: MsgType.Suspect, id: r.id, incarnation: m.incarnation, from: s.id });
    return;
  }
  suspect(s, r, m.incarnation, m.from, now);
  // Heard it second-hand: ask the suspect itself, which answers with its refutation if it lives.
  if (m.from !== s.id) s.send(r.addr, { type: MsgType.Suspect, id: r.id, incarnation: m.incarnation, from: s.id });
}

/** Believes a dead or left claim about another member; refutes one about itself unless it is leaving. */
export function onDead(s: MembershipState, claim: Dead, now: number, via?: Address): void {
  const incarnation = s.believe(claim.id, claim.incarnation, now);
  const m = incarnation === claim.incarnation ? claim : { ...claim, incarnation: incarnation ?? -1 };
  if (m.id === s.id) {
    if (s.leaving) return;
    const self = s.self();
    if (incarnation !== undefined && m.incarnation >= self.incarnation) {
      s.counts.refutes++;
      refute(s, self, m.incarnation, now);
    }
    answerRumour(s, via);
    return;
  }
  const r = s.records.get(m.id);
  if (incarnation === undefined || r === undefined || m.incarnation < r.incarnation || r.state === 'left' || (r.state === 'dead' && !m.left)) return;
  declare(s, r, m.left ? 'left' : 'dead', m.incarnation, now);
  s.broadcasts.add(m.id, m);
}

/** Declares dead the suspects whose time ran out; asks the others directly now and then. */
export function expireSuspicions(s: MembershipState, now: number): void {
  for (const [id, suspicion] of s.suspicions) {
    const r = s.records.get(id);
    if (now < suspicion.deadline) {
      if (now < suspicion.nextAskAt || r === undefined) continue;
      // The refutation may have spread and missed us: ask the suspect itself, which answers us directly.
      s.send(r.addr, { type: MsgType.Suspect, id, incarnation: suspicion.incarnation, from: s.id });
      suspicion.askedAt(now, s.config.probeIntervalMs);
      continue;
    }
    s.suspicions.delete(id);
    if (r?.state !== 'suspect' || r.incarnation !== suspicion.incarnation) continue;
    declare(s, r, 'dead', r.incarnation, now);
    s.broadcasts.add(id, { type: MsgType.Dead, id, incarnation: r.incarnation, from: s.id, left: false });
  }
}

/** Raises our incarnation above `over` and tells everyone we are alive. */
export function refute(s: MembershipState, self: MemberRecord, over: number, now: number): void {
  // Never above the ceiling that every member believes; at it (only many forgeries get there) we can no longer outbid.
  self.incarnation = Math.min(over + 1, INCARNATION_CEILING);
  self.stateChangedAt = now;
  s.broadcasts.add(s.id, { type: MsgType.Alive, id: s.id, incarnation: self.incarnation, addr: self.addr, meta: self.meta });
}

function suspect(s: MembershipState, r: MemberRecord, incarnation: number, from: string, now: number): void {
  const n = s.liveCount;
  const { minMs, maxMs } = suspicionBounds(s.config, n);
  s.counts.suspicions++;
  s.suspicions.set(r.id, new Suspicion(incarnation, now, minMs, maxMs, expectedConfirmations(s.config, n), from));
  r.incarnation = incarnation;
  r.state = 'suspect';
  r.stateChangedAt = now;
  s.broadcasts.add(r.id, { type: MsgType.Suspect, id: r.id, incarnation, from });
  s.event('suspect', r);
}

function declare(s: MembershipState, r: MemberRecord, state: 'dead' | 'left', incarnation: number, now: number): void {
  s.suspicions.delete(r.id);
  r.incarnation = incarnation;
  r.state = state;
  r.stateChangedAt = now;
  s.event(state, r);
}

/**
 * Tells the member that just passed on a rumour of our failure, directly,
 * that we are alive. Gossip alone can miss the very members that still
 * suspect us (one did, 9 s long, at 10% loss in the simulator); each stale
 * rumour reaching us now brings the refutation straight back to its sender.
 */
function answerRumour(s: MembershipState, via: Address | undefined): void {
  if (via === undefined) return;
  const self = s.self();
  s.send(via, { type: MsgType.Alive, id: s.id, incarnation: self.incarnation, addr: self.addr, meta: self.meta });
}

/** Whether an alive claim says what the record says (address and metadata). */
function sameClaim(m: Alive, r: MemberRecord): boolean {
  return m.addr.host === r.addr.host && m.addr.port === r.addr.port && JSON.stringify(m.meta) === JSON.stringify(r.meta);
}
