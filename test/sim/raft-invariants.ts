/**
 * Raft's safety properties (Figure 3 of the paper), checked as the
 * simulation runs, each time a server's log, commit, vote or applied state
 * changes. Every check is incremental: O(1) per entry appended, committed or
 * applied; leader completeness costs O(log length) per election. A broken
 * property throws SafetyViolation at once, naming the property, the servers
 * and the index.
 */
import type { Entry, HardState, NodeId, SnapshotMeta } from '../../src/core/raft/types.js';
import type { StoredLog } from './raft-log.js';

export class SafetyViolation extends Error {
  override readonly name = 'SafetyViolation';
}

/** A committed entry as the whole cluster must agree on it. */
interface Chosen {
  readonly term: number;
  readonly fingerprint: string;
  /** Who first committed or applied it, for the message. */
  readonly by: NodeId;
  /**
   * The term of that server when it did: no earlier than the term in which
   * the entry was committed, so every leader of a later term must hold it.
   */
  readonly knownInTerm: number;
}

/** What identifies an entry's content (its term and index aside). */
export function fingerprint(entry: Entry): string {
  if (entry.kind === 'config') return `config ${entry.change.type} ${entry.change.node}`;
  return entry.data.length === 0 ? 'no-op' : Buffer.from(entry.data).toString('latin1');
}

export class SafetyChecker {
  /** Election safety: the leader of each term. */
  private readonly leaders = new Map<number, NodeId>();
  /** Log matching: per (index, term), the content and the term before it, as first seen. */
  private readonly matching = new Map<string, { readonly fingerprint: string; readonly prevTerm: number; readonly by: NodeId }>();
  /** State machine safety and leader completeness: the committed entry at each index (1-based). */
  private readonly chosen: (Chosen | undefined)[] = [];
  /** The highest index known committed. */
  private committedIndex = 0;
  /** Per server: up to where its commit index has been checked against `chosen`. */
  private readonly checkedCommit = new Map<NodeId, number>();

  /** The leader elected for each term so far. */
  get leaderTerms(): ReadonlyMap<number, NodeId> {
    return this.leaders;
  }

  /** Election safety: at most one leader per term. Leader completeness: it holds every committed entry. */
  becameLeader(id: NodeId, term: number, log: StoredLog): void {
    const earlier = this.leaders.get(term);
    if (earlier !== undefined && earlier !== id) throw new SafetyViolation(`election safety: ${earlier} and ${id} are both leader of term ${term}`);
    this.leaders.set(term, id);
    // Entries before the log's snapshot are covered by it (checked by snapshotTaken).
    for (let index = Math.max(1, log.snapshotIndex); index <= this.committedIndex; index++) {
      const chosen = this.chosen[index];
      if (chosen === undefined || chosen.knownInTerm >= term) continue;
      const has = log.termAt(index);
      const entry = log.entry(index);
      if (has !== chosen.term || (entry !== undefined && fingerprint(entry) !== chosen.fingerprint)) {
        throw new SafetyViolation(
          `leader completeness: ${id}, leader of term ${term}, lacks the entry committed at index ${index} (term ${chosen.term}, committed by ${chosen.by}); it has ${has === undefined ? 'nothing' : `term ${has}`} there`,
        );
      }
    }
  }

  /** `id` sent what only a leader sends, in `term`: it must be that term's one leader. */
  leaderActs(id: NodeId, term: number): void {
    const earlier = this.leaders.get(term);
    if (earlier === id) return;
    if (earlier !== undefined) throw new SafetyViolation(`election safety: ${earlier} and ${id} both act as leader of term ${term}`);
    this.leaders.set(term, id);
  }

  /**
   * Log matching: `entries` were just appended to `id`'s log. For each, the
   * (index, term) pair must carry the same content and follow the same term
   * on every server; by induction the logs then agree on everything earlier.
   */
  appended(id: NodeId, entries: readonly Entry[], log: StoredLog): void {
    for (const entry of entries) {
      const prevTerm = log.termAt(entry.index - 1);
      if (prevTerm === undefined) throw new SafetyViolation(`log: ${id} appended index ${entry.index} with nothing before it`);
      const key = `${entry.index}/${entry.term}`;
      const content = fingerprint(entry);
      const seen = this.matching.get(key);
      if (seen === undefined) {
        this.matching.set(key, { fingerprint: content, prevTerm, by: id });
      } else if (seen.fingerprint !== content || seen.prevTerm !== prevTerm) {
        const what = seen.fingerprint !== content ? 'different commands' : `different terms before it (${seen.prevTerm} on ${seen.by}, ${prevTerm} on ${id})`;
        throw new SafetyViolation(`log matching: index ${entry.index} term ${entry.term} has ${what} on ${seen.by} and ${id}`);
      }
    }
  }

  /** `id`, in `term`, now says entries up to `commit` of `log` are committed: they must equal what everyone else committed there. */
  committed(id: NodeId, term: number, commit: number, log: StoredLog): void {
    const from = Math.max(this.checkedCommit.get(id) ?? 0, log.snapshotIndex) + 1;
    if (commit > log.lastIndex) throw new SafetyViolation(`commit: ${id} commits up to ${commit} but its log ends at ${log.lastIndex}`);
    for (let index = from; index <= commit; index++) this.choose(id, term, log.entry(index) as Entry, 'committed');
    if (commit > (this.checkedCommit.get(id) ?? 0)) this.checkedCommit.set(id, commit);
  }

  /** State machine safety: every server applies the same entry at each index (`term`: the server's). */
  applied(id: NodeId, term: number, entry: Entry): void {
    this.choose(id, term, entry, 'applied');
  }

  /** A snapshot covers only committed entries: its last one must be the one committed at its index. */
  snapshotTaken(id: NodeId, meta: SnapshotMeta): void {
    const chosen = this.chosen[meta.index];
    if (meta.index > 0 && chosen !== undefined && chosen.term !== meta.term) {
      throw new SafetyViolation(`state machine safety: ${id} has a snapshot at index ${meta.index} term ${meta.term}, but term ${chosen.term} was committed there by ${chosen.by}`);
    }
  }

  /** A server started again: its commit is checked afresh from its disk. */
  restarted(id: NodeId): void {
    this.checkedCommit.delete(id);
  }

  /** Persisted term never decreases, and a vote once cast is never changed within its term. */
  persisted(id: NodeId, before: HardState, after: HardState): void {
    if (after.term < before.term) throw new SafetyViolation(`persisted term: ${id} wrote term ${after.term} over term ${before.term}`);
    if (after.term === before.term && before.vote !== null && after.vote !== before.vote) {
      throw new SafetyViolation(`vote: ${id} changed its vote in term ${after.term} from ${before.vote} to ${after.vote ?? 'nobody'}`);
    }
  }

  private choose(id: NodeId, term: number, entry: Entry, how: 'committed' | 'applied'): void {
    const chosen = this.chosen[entry.index];
    const content = fingerprint(entry);
    if (chosen === undefined) {
      this.chosen[entry.index] = { term: entry.term, fingerprint: content, by: id, knownInTerm: term };
      if (entry.index > this.committedIndex) this.committedIndex = entry.index;
    } else if (chosen.term !== entry.term || chosen.fingerprint !== content) {
      throw new SafetyViolation(
        `state machine safety: ${id} ${how} index ${entry.index} term ${entry.term} (${describe(content)}), but ${chosen.by} committed term ${chosen.term} (${describe(chosen.fingerprint)}) there`,
      );
    }
  }
}

function describe(content: string): string {
  return content.length > 60 ? `${content.slice(0, 57)}...` : content;
}
