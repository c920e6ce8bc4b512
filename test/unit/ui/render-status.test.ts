import { readFileSync } from 'node:fs';
import { stripVTControlCharacters } from 'node:util';
import { describe, expect, it } from 'vitest';
import type { MemberStatus, StatusSnapshot } from '../../../src/ops/snapshot.js';
import { renderStatus } from '../../../src/ui/terminal/render-status.js';

const fixture = JSON.parse(readFileSync(new URL('../../fixtures/status-snapshot.json', import.meta.url), 'utf8')) as StatusSnapshot;
const LONG_ID = 'worker-eu-west-1a-compute-internal-0042';
/** Columns a line takes on screen; the fixture's text is ASCII and '…', one column each. */
const columns = (line: string): number => [...stripVTControlCharacters(line)].length;
const lines = (text: string): string[] => text.split('\n');
const plain = (s: StatusSnapshot, width = 80): string => renderStatus(s, { width, color: false });
const withMember = (id: string, change: Partial<MemberStatus>): StatusSnapshot => ({ ...fixture, members: fixture.members.map((m) => (m.id === id ? { ...m, ...change } : m)) });

describe('renderStatus, the terminal view of a snapshot', () => {
  it.each([
    [80, false],
    [80, true],
    [140, false],
    [140, true],
  ])('at %i columns (colour: %s) renders exactly its golden file', async (width, color) => {
    const text = renderStatus(fixture, { width, color });
    await expect(`${text}\n`).toMatchFileSnapshot(`__golden__/status-${width}${color ? '-color' : ''}.txt`);
  });

  it('fits every line in the width, at any width from 10 to 200 columns, with or without colour', () => {
    for (let width = 10; width <= 200; width++) {
      for (const color of [false, true]) {
        for (const line of lines(renderStatus(fixture, { width, color }))) expect(columns(line), `width ${width}: ${JSON.stringify(line)}`).toBeLessThanOrEqual(width);
      }
    }
  });

  it('defaults to 80 columns', () => {
    expect(renderStatus(fixture, { color: false })).toBe(plain(fixture, 80));
  });

  it('writes no escape code at all without colour, and colours states with it: alive green, suspect yellow, dead red, left gray', () => {
    expect(plain(fixture, 140)).not.toContain('\x1b');
    const coloured = renderStatus(fixture, { width: 140, color: true });
    expect(coloured).toContain('\x1b[32malive\x1b[39m');
    expect(coloured).toContain('\x1b[33msuspect\x1b[39m');
    expect(coloured).toContain('\x1b[31mdead\x1b[39m');
    expect(coloured).toContain('\x1b[90mleft\x1b[39m');
    expect(stripVTControlCharacters(coloured)).toBe(plain(fixture, 140));
  });

  it('shortens a long member id in the middle at 80 columns, keeping both ends, and shows it whole at 140', () => {
    const row80 = lines(plain(fixture, 80)).find((l) => l.includes('worker'));
    expect(row80).toMatch(/ worker\S*…\S*0042 /);
    expect(plain(fixture, 80)).not.toContain(`${LONG_ID}  alive`);
    expect(plain(fixture, 140)).toContain(`${LONG_ID}  alive`);
  });

  it('drops the extra columns first as the width shrinks, and never the member or its state', () => {
    const header = (width: number): string => lines(plain(fixture, width)).find((l) => l.includes('MEMBER'))?.trim() ?? '';
    expect(header(140).split(/\s{2,}/)).toEqual(['MEMBER', 'STATE', 'ROLES', 'ADDRESS', 'CPU', 'LAG', 'LAST SEEN', 'INC', 'VERSION']);
    expect(header(80).split(/\s{2,}/)).toEqual(['MEMBER', 'STATE', 'ROLES', 'ADDRESS', 'CPU', 'LAG', 'LAST SEEN']);
    expect(header(44).split(/\s{2,}/)).toEqual(['MEMBER', 'STATE', 'CPU', 'LAST SEEN']);
    expect(header(24).split(/\s{2,}/)).toEqual(['MEMBER', 'STATE']);
  });

  it('names the membership leader as such (the lowest ID), apart from any Raft leader, with its quorum', () => {
    const text = plain(fixture);
    expect(text).toMatch(/^\* node001 /m);
    expect(text).toContain('Leader (membership, lowest ID): node001 (quorum reached: 4 seen, 3 needed)');
  });

  it('says why there is no leader', () => {
    const reason = 'no quorum: sees 1 of the 3 members needed (majority of 5)';
    const text = plain({ ...fixture, leader: { ...fixture.leader, id: null, self: false, reason, quorum: { needed: 3, seen: 1, reached: false } } });
    expect(text).toContain(`No membership leader: ${reason}`);
  });

  it('shows each warning in full, wrapped at words to the width, between the header and the members', () => {
    const warning = 'gossip on 0.0.0.0:7946 is not authenticated (no [cluster] encrypt_key): anyone who can send it a packet can forge membership';
    const all = lines(plain({ ...fixture, warnings: [warning] }, 60));
    const at = all.indexOf('Warnings');
    expect(at).toBeGreaterThan(2);
    const block = all.slice(at + 1, all.findIndex((l, i) => i > at && l === ''));
    expect(block).toEqual(['! gossip on 0.0.0.0:7946 is not authenticated (no [cluster]', '  encrypt_key): anyone who can send it a packet can forge', '  membership']);
    expect(all.findIndex((l) => l.includes('MEMBER'))).toBeGreaterThan(at);
  });

  it('no warnings (or an agent older than the field): no Warnings section', () => {
    expect(lines(plain({ ...fixture, warnings: [] }))).not.toContain('Warnings');
    expect(lines(plain(fixture))).not.toContain('Warnings');
  });

  it('says when the agent is its own quorum', () => {
    expect(plain({ ...fixture, leader: { ...fixture.leader, own_quorum: true } })).toContain('Leader (membership, lowest ID): node001 (own quorum: no cluster size set)');
  });

  it('counts "last seen" back from the snapshot time, or from `now` when given', () => {
    const at = (text: string, id: string): string => lines(text).find((l) => l.includes(` ${id} `)) ?? '';
    expect(at(plain(fixture), 'node004')).toMatch(/2m ago$/);
    const later = renderStatus(fixture, { width: 80, color: false, now: new Date(Date.parse(fixture.time) + 3600_000) });
    expect(at(later, 'node004')).toMatch(/1h ago$/);
    expect(at(plain(withMember('node004', { last_seen: null })), 'node004')).toMatch(/never$/);
  });

  it('shows the last five events and the filled role slots, and leaves out either section when empty', () => {
    const text = plain(fixture);
    expect(text).toContain('Recent events');
    expect(text).not.toContain('New node discovered: node002');
    expect(text).toContain('Suspecting node: node003');
    expect(text).toMatch(/^registry\n {2}registrations: 4\n {2}services: sum, increment\n {2}ttl_s: 30$/m);
    const bare = plain({ ...fixture, events: [], roles: {} });
    expect(bare).not.toContain('Recent events');
    expect(bare).not.toContain('Roles');
  });

  it('replaces control characters from the wire, so a member cannot send escape codes to the terminal', () => {
    const text = renderStatus(withMember('node002', { roles: ['\x1b[2Jevil'] }), { width: 140, color: false });
    expect(text).not.toContain('\x1b');
    expect(text).toContain('?[2Jevil');
  });
});
