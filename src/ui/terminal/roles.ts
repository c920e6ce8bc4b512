/**
 * Per-role summaries from the snapshot's `roles` slots: the role's name, then
 * one "key: value" line per field. Generic on purpose: it shows whatever a
 * role puts in its slot until that role has a view of its own.
 */
import { fitLine, span, type Line } from './line.js';

/** A value on one line: scalars as they are, lists of scalars joined by ", ", anything else as JSON. */
function oneLine(value: unknown): string {
  if (value === null || typeof value !== 'object') return String(value);
  if (Array.isArray(value) && value.every((v) => v === null || typeof v !== 'object')) return value.map(String).join(', ') || '-';
  return JSON.stringify(value);
}

/** Lines for every role that has filled its slot, in the order of the slots; none when no role has. */
export function roleLines(roles: Readonly<Record<string, unknown>>, width: number): Line[] {
  return Object.entries(roles).flatMap(([role, slot]) => {
    const fields = slot !== null && typeof slot === 'object' && !Array.isArray(slot) ? Object.entries(slot) : [['summary', slot] as const];
    return [fitLine([span(role, 'heading')], width), ...fields.map(([key, value]) => fitLine([{ text: '  ' }, span(`${key}: `, 'muted'), span(oneLine(value))], width))];
  });
}
