/** One-line descriptions of Raft messages for the trace of a simulated run. */
import type { Entry, Message } from '../../src/core/raft/types.js';

function entries(list: readonly Entry[]): string {
  const first = list[0];
  const last = list.at(-1);
  if (first === undefined || last === undefined) return 'none';
  return first === last ? `${first.index}@${first.term}` : `${first.index}@${first.term}..${last.index}@${last.term}`;
}

/** `append n1->n2 t3 prev=4@2 entries 5@3..6@3 commit=4`, and the like for every type. */
export function describeMessage(m: Message): string {
  const head = `${m.type} ${m.from}->${m.to} t${m.term}`;
  switch (m.type) {
    case 'pre-vote':
    case 'vote':
      return `${head} last=${m.lastIndex}@${m.lastTerm}${m.transfer ? ' transfer' : ''}`;
    case 'pre-vote-resp':
    case 'vote-resp':
      return `${head} ${m.reject ? 'rejected' : 'granted'}`;
    case 'append':
      return `${head} prev=${m.prevIndex}@${m.prevTerm} entries ${entries(m.entries)} commit=${m.commit}`;
    case 'append-resp':
      return `${head} ${m.reject ? `rejected ${m.index} hint=${m.hintIndex}@${m.hintTerm}` : `match=${m.index}`}`;
    case 'heartbeat':
      return `${head} commit=${m.commit}${m.ctx === null ? '' : ` ctx=${m.ctx}`}`;
    case 'heartbeat-resp':
      return `${head}${m.ctx === null ? '' : ` ctx=${m.ctx}`}`;
    case 'snapshot':
      return `${head} snapshot=${m.meta.index}@${m.meta.term} bytes ${m.offset}+${m.chunk.length}/${m.size}`;
    case 'snapshot-resp':
      return `${head} index=${m.index} offset=${m.offset}${m.reject ? ' rejected' : ''}`;
    case 'timeout-now':
      return head;
    case 'read-index':
      return `${head} ctx=${m.ctx}`;
    case 'read-index-resp':
      return `${head} ctx=${m.ctx} index=${m.index}`;
    case 'propose':
      return `${head} ${m.entries.length} commands`;
  }
}
