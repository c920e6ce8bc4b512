import { readFileSync } from 'node:fs';
import { stripVTControlCharacters } from 'node:util';
import { describe, expect, it } from 'vitest';
import type { RaftRoleStatus, StatusSnapshot } from '../../../src/ops/snapshot.js';
import { renderStatus } from '../../../src/ui/terminal/render-status.js';

const read = <T>(name: string): T => JSON.parse(readFileSync(new URL(`../../fixtures/${name}`, import.meta.url), 'utf8')) as T;
const base = read<StatusSnapshot>('status-snapshot.json');
const slot = read<RaftRoleStatus>('raft-slot.json');
const withRaft = (raft: unknown): StatusSnapshot => ({ ...base, roles: { ...base.roles, raft } });
const fixture = withRaft(slot);
const columns = (line: string): number => [...stripVTControlCharacters(line)].length;
const lines = (text: string): string[] => text.split('\n');
const plain = (s: StatusSnapshot, width = 80): string => renderStatus(s, { width, color: false });
/** The lines from the "Raft" title up to the next blank line. */
const raftSection = (text: string): string[] => {
  const all = lines(text);
  const start = all.indexOf('Raft');
  const end = all.indexOf('', start);
  return start < 0 ? [] : all.slice(start, end < 0 ? undefined : end);
};
const header = (text: string): string[] => raftSection(text).find((l) => l.includes('MEMBER'))?.trim().split(/\s{2,}/) ?? [];
const rowOf = (text: string, id: string): string => raftSection(text).slice(2).find((l) => l.includes(` ${id} `)) ?? '';

describe('the raft section of the terminal view', () => {
  it.each([
    [80, false],
    [80, true],
    [140, false],
    [140, true],
  ])('at %i columns (colour: %s) renders exactly its golden file', async (width, color) => {
    const text = renderStatus(fixture, { width, color });
    await expect(`${text}\n`).toMatchFileSnapshot(`__golden__/status-raft-${width}${color ? '-color' : ''}.txt`);
  });

  it('fits every line in the width, at any width from 10 to 200 columns, with or without colour', () => {
    for (let width = 10; width <= 200; width++) {
      for (const color of [false, true]) {
        for (const line of lines(renderStatus(fixture, { width, color }))) expect(columns(line), `width ${width}: ${JSON.stringify(line)}`).toBeLessThanOrEqual(width);
      }
    }
  });

  it('replaces the generic lines of the raft slot, and keeps them for the other roles', () => {
    const text = plain(fixture, 140);
    expect(raftSection(text)[1]).toBe('state leader  term 7  raft leader node001  commit 48213  applied 48213  keys 1234  snapshot 40960  last 48215  listen 10.0.0.11:5001');
    expect(text).not.toContain('members: [');
    expect(text).not.toContain('counters: {');
    expect(text).toMatch(/^Roles\nregistry\n {2}registrations: 4$/m);
    expect(text).not.toMatch(/^raft$/m);
    expect(text.indexOf('\nRaft\n')).toBeLessThan(text.indexOf('\nRoles\n'));
  });

  it("lists the group's members with state, voter, address, match and lag, '-' where unknown", () => {
    const text = plain(fixture, 140);
    expect(header(text)).toEqual(['MEMBER', 'STATE', 'VOTER', 'ADDRESS', 'MATCH', 'LAG']);
    expect(rowOf(text, 'node001')).toMatch(/^\* node001 +leader +yes +10\.0\.0\.11:5001 +48215 +0$/);
    expect(rowOf(text, 'node003')).toMatch(/^ {2}node003 +follower +yes +10\.0\.0\.13:5001 +45102 +3113$/);
    expect(rowOf(text, 'node006')).toMatch(/^ {2}node006 +learner +no +- +- +-$/);
  });

  it('shows a lag over 1000 entries in the warning colour, and a smaller one plainly', () => {
    const coloured = renderStatus(fixture, { width: 140, color: true });
    expect(coloured).toContain('\x1b[33m3113\x1b[39m');
    expect(coloured).not.toContain('\x1b[33m115\x1b[39m');
    expect(rowOf(stripVTControlCharacters(coloured), 'worker-eu-west-1a-compute-internal-0042')).toMatch(/ 115$/);
  });

  it('shows a disk failure in the error colour, right after the state', () => {
    const failed = withRaft({ ...slot, state: 'failed', storage_failure: 'EIO: i/o error, fsync' });
    expect(raftSection(plain(failed, 140))[1]).toMatch(/^state failed {2}storage failed: EIO: i\/o error, fsync {2}term 7 /);
    expect(renderStatus(failed, { width: 140, color: true })).toContain('\x1b[31mstorage failed: EIO: i/o error, fsync\x1b[39m');
    expect(raftSection(plain(failed, 50))[1]).toBe('state failed  storage failed: EIO: i/o error, fsy…');
  });

  it('shows a write waiting on a transient disk error in the warning colour, right after the state', () => {
    const retrying = withRaft({ ...slot, state: 'follower', storage_retrying: 'retrying after ENOSPC (3 attempts, next in 2 s)' });
    expect(raftSection(plain(retrying, 140))[1]).toMatch(/^state follower {2}storage: retrying after ENOSPC \(3 attempts, next in 2 s\) {2}term 7 /);
    expect(renderStatus(retrying, { width: 140, color: true })).toContain('\x1b[33mstorage: retrying after ENOSPC (3 attempts, next in 2 s)\x1b[39m');
  });

  it('says a removed member is not a member of the Raft group', () => {
    const removed = withRaft({ ...slot, state: 'removed', leader: null });
    expect(raftSection(plain(removed, 140))[1]).toMatch(/^state removed {2}not a member of the Raft group {2}term 7 /);
  });

  it("shows a follower's view: no leader known, no match or lag", () => {
    const members = slot.members.map((m) => ({ ...m, match: null, lag: null }));
    const text = plain(withRaft({ ...slot, state: 'candidate', leader: null, members }), 140);
    expect(raftSection(text)[1]).toMatch(/^state candidate {2}term 7 {2}raft leader none {2}commit /);
    expect(rowOf(text, 'node003')).toMatch(/ +- +-$/);
  });

  it('narrows the members table as the width shrinks, keeping member, state and lag', () => {
    expect(header(plain(fixture, 80))).toEqual(['MEMBER', 'STATE', 'VOTER', 'ADDRESS', 'MATCH', 'LAG']);
    expect(header(plain(fixture, 50))).toEqual(['MEMBER', 'STATE', 'VOTER', 'MATCH', 'LAG']);
    expect(header(plain(fixture, 36))).toEqual(['MEMBER', 'STATE', 'LAG']);
    expect(plain(fixture, 80)).toMatch(/^ {2}worker\S*…\S*0042 +learner /m);
  });

  it('leaves the section out of a group not formed yet, but for the summary', () => {
    const text = plain(withRaft({ ...slot, state: 'waiting', leader: null, term: 0, members: [] }), 140);
    expect(raftSection(text)).toHaveLength(2);
    expect(raftSection(text)[1]).toMatch(/^state waiting {2}term 0 {2}raft leader none /);
  });

  it('replaces control characters from the wire in the raft slot too', () => {
    const members = [{ ...slot.members[0], id: '\x1b[2Jevil' }];
    const text = renderStatus(withRaft({ ...slot, members, storage_failure: 'bad\x1b]0;x\x07' }), { width: 140, color: false });
    expect(text).not.toContain('\x1b');
    expect(text).not.toContain('\x07');
    expect(text).toContain('?[2Jevil');
  });

  it.each<[string, unknown]>([
    ['null', null],
    ['a string', 'leader'],
    ['a list', [1, 2]],
    ['an unknown state', { ...slot, state: 'emperor' }],
    ['a term that is text', { ...slot, term: '7' }],
    ['a negative index', { ...slot, commit_index: -1 }],
    ['no members', { ...slot, members: undefined }],
    ['a member without id', { ...slot, members: [{ ...slot.members[0], id: 42 }] }],
    ['a member of unknown state', { ...slot, members: [{ ...slot.members[0], state: 'boss' }] }],
    ['a member with a lag that is text', { ...slot, members: [{ ...slot.members[0], lag: 'a lot' }] }],
    ['no counters', { ...slot, counters: undefined }],
    ['a counter missing', { ...slot, counters: { ...slot.counters, proposals: undefined } }],
  ])('falls back to the generic lines for a malformed slot (%s), without throwing', (_, raft) => {
    const text = plain(withRaft(raft), 140);
    expect(text).not.toMatch(/^Raft$/m);
    expect(text).toMatch(/^Roles\n(?:.*\n)*raft\n/m);
    for (const width of [20, 80, 140]) expect(() => renderStatus(withRaft(raft), { width, color: true })).not.toThrow();
  });
});
