/**
 * The status view as text: `renderStatus(snapshot, {width, color})`. Pure and
 * deterministic: the same snapshot and options give the same string. Every
 * line fits `width`; with `color: false` there are no escape codes. A role
 * slot this version cannot read is shown generically, never thrown on.
 */
import { raftSlotOf } from '../../ops/raft-slot.js';
import type { StatusSnapshot } from '../../ops/snapshot.js';
import { eventLines } from './events.js';
import { headerLines } from './header.js';
import { fitLine, type Line } from './line.js';
import { membersTable } from './members-table.js';
import { painter } from './palette.js';
import { raftLines } from './raft-section.js';
import { roleLines } from './roles.js';
import { warningLines } from './warnings.js';

export interface RenderOptions {
  /** Columns available. Default 80. */
  readonly width?: number;
  /** ANSI colours when true; plain text when false. */
  readonly color: boolean;
  /** The moment "last seen" counts back from. Default: the snapshot's `time`. */
  readonly now?: Date;
}

/** The lines of the view, uncoloured: the header, any warnings, the members, recent events, the raft role's section, the other roles' summaries. */
export function statusLines(snapshot: StatusSnapshot, width: number, now: number): Line[] {
  const raft = raftSlotOf(snapshot.roles);
  const otherRoles = raft === null ? snapshot.roles : Object.fromEntries(Object.entries(snapshot.roles).filter(([role]) => role !== 'raft'));
  const sections = [
    headerLines(snapshot, width),
    withTitle('Warnings', warningLines(snapshot.warnings ?? [], width), width),
    membersTable(snapshot.members, now, width),
    withTitle('Recent events', eventLines(snapshot.events, width), width),
    raft === null ? [] : withTitle('Raft', raftLines(raft, width), width),
    withTitle('Roles', roleLines(otherRoles, width), width),
  ].filter((lines) => lines.length > 0);
  return sections.flatMap((lines, i) => (i === 0 ? lines : [[], ...lines]));
}

function withTitle(title: string, lines: Line[], width: number): Line[] {
  return lines.length === 0 ? [] : [fitLine([{ text: title, tone: 'heading' }], width), ...lines];
}

/** The view as one string, lines joined by "\n" (no final newline). */
export function renderStatus(snapshot: StatusSnapshot, opts: RenderOptions): string {
  const width = Math.max(1, Math.floor(opts.width ?? 80));
  const now = opts.now?.getTime() ?? Date.parse(snapshot.time);
  const paint = painter(opts.color);
  return statusLines(snapshot, width, now).map(paint).join('\n');
}
