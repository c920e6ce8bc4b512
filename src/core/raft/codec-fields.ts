/**
 * The compound fields of Raft messages on the wire: ids, ctx strings, log
 * entries with their conf changes, and snapshot metadata. docs/raft.md
 * ("Wire format") is the reference; keep the two in step.
 */
import type { RaftReader, RaftWriter } from './codec-bytes.js';
import type { ConfChange, Entry, NodeId, SnapshotMeta } from './types.js';

/** Node ids: 1..255 bytes of UTF-8. */
export const MAX_ID_BYTES = 255;
/** A ctx string (heartbeat rounds, read requests): 0..65535 bytes of UTF-8. */
export const MAX_CTX_BYTES = 0xffff;
/** Entries in one append message, at most. */
export const MAX_ENTRIES_PER_MESSAGE = 64 * 1024;
/** Voters, and separately learners, in a snapshot's configuration, at most. */
export const MAX_CONF_MEMBERS = 4096;

/** Fewest bytes an entry takes: term 8, index 8, kind 1, then a data length 4 or a change (type 1, id 2). */
const MIN_ENTRY_BYTES = 20;
/** Fewest bytes an id takes: length 1, one byte. */
const MIN_ID_BYTES = 2;

/** Entry kinds; on the wire: append only. */
const ENTRY_KINDS = ['normal', 'config'] as const satisfies readonly Entry['kind'][];
/** Conf change types; on the wire: append only. */
const CONF_CHANGE_TYPES = ['add-learner', 'promote', 'remove'] as const satisfies readonly ConfChange['type'][];

export function putId(w: RaftWriter, id: NodeId, field: string): void {
  w.string(id, 1, MAX_ID_BYTES, 1, field);
}

export function getId(r: RaftReader, field: string): NodeId {
  return r.string(1, MAX_ID_BYTES, 1, field);
}

export function putCtx(w: RaftWriter, ctx: string, field: string): void {
  w.string(ctx, 0, MAX_CTX_BYTES, 2, field);
}

export function getCtx(r: RaftReader, field: string): string {
  return r.string(0, MAX_CTX_BYTES, 2, field);
}

/** A ctx that may be absent: bool present, then the ctx if present. */
export function putOptionalCtx(w: RaftWriter, ctx: string | null, field: string): void {
  w.bool(ctx !== null);
  if (ctx !== null) putCtx(w, ctx, field);
}

export function getOptionalCtx(r: RaftReader, field: string): string | null {
  return r.bool(`${field} present`) ? getCtx(r, field) : null;
}

/** Reads a u8 and returns the name it stands for in `names`, failing on any other number. */
function getEnum<T extends string>(r: RaftReader, names: readonly T[], field: string): T {
  const at = r.offset;
  const n = r.u8(field);
  const name = names[n];
  return name ?? r.fail(`${field}: unknown value ${n}`, at);
}

function putEnum<T extends string>(w: RaftWriter, names: readonly T[], name: T, field: string): void {
  const n = names.indexOf(name);
  if (n < 0) throw new RangeError(`raft codec: ${field} must be one of ${names.join(', ')}, got ${String(name)}`);
  w.u8(n);
}

/** Entries: a u32 count, then each entry: term, index, kind, then data (normal) or a conf change (config). */
export function putEntries(w: RaftWriter, entries: readonly Entry[], maxDataBytes: number, field: string): void {
  w.count(entries.length, MAX_ENTRIES_PER_MESSAGE, `${field}.length`);
  entries.forEach((e, i) => {
    const at = `${field}[${i}]`;
    w.u53(e.term, `${at}.term`);
    w.u53(e.index, `${at}.index`);
    putEnum(w, ENTRY_KINDS, e.kind, `${at}.kind`);
    if (e.kind === 'normal') {
      w.bytes(e.data, maxDataBytes, `${at}.data`);
    } else {
      putEnum(w, CONF_CHANGE_TYPES, e.change.type, `${at}.change.type`);
      putId(w, e.change.node, `${at}.change.node`);
    }
  });
}

export function getEntries(r: RaftReader, maxDataBytes: number, field: string): Entry[] {
  const count = r.count(MAX_ENTRIES_PER_MESSAGE, MIN_ENTRY_BYTES, `${field} count`);
  const entries: Entry[] = [];
  for (let i = 0; i < count; i++) {
    const at = `${field}[${i}]`;
    const term = r.u53(`${at}.term`);
    const index = r.u53(`${at}.index`);
    if (getEnum(r, ENTRY_KINDS, `${at}.kind`) === 'normal') {
      entries.push({ term, index, kind: 'normal', data: r.bytes(maxDataBytes, `${at}.data`) });
    } else {
      const type = getEnum(r, CONF_CHANGE_TYPES, `${at}.change.type`);
      entries.push({ term, index, kind: 'config', change: { type, node: getId(r, `${at}.change.node`) } });
    }
  }
  return entries;
}

function putIds(w: RaftWriter, ids: readonly NodeId[], field: string): void {
  w.count(ids.length, MAX_CONF_MEMBERS, `${field}.length`);
  ids.forEach((id, i) => putId(w, id, `${field}[${i}]`));
}

function getIds(r: RaftReader, field: string): NodeId[] {
  const count = r.count(MAX_CONF_MEMBERS, MIN_ID_BYTES, `${field} count`);
  const ids: NodeId[] = [];
  for (let i = 0; i < count; i++) ids.push(getId(r, `${field}[${i}]`));
  return ids;
}

/** Snapshot metadata: index, term, voters, learners. */
export function putSnapshotMeta(w: RaftWriter, meta: SnapshotMeta, field: string): void {
  w.u53(meta.index, `${field}.index`);
  w.u53(meta.term, `${field}.term`);
  putIds(w, meta.conf.voters, `${field}.conf.voters`);
  putIds(w, meta.conf.learners, `${field}.conf.learners`);
}

export function getSnapshotMeta(r: RaftReader, field: string): SnapshotMeta {
  const index = r.u53(`${field}.index`);
  const term = r.u53(`${field}.term`);
  const voters = getIds(r, `${field}.conf.voters`);
  return { index, term, conf: { voters, learners: getIds(r, `${field}.conf.learners`) } };
}
