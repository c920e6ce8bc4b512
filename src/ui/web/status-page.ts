/**
 * The whole page: keeps the latest snapshot, the load history and the
 * connection state, and redraws from them on every update and once a second
 * (relative times and the retry countdown move on their own).
 */
import type { StatusSnapshot } from '../../ops/snapshot.js';
import { renderConnection } from './connection-banner.js';
import type { ConnectionState, FeedName } from './connection-state.js';
import { byId, setText } from './dom.js';
import { EventLog } from './event-log.js';
import { relativeTime } from './format.js';
import { LoadHistory } from './load-history.js';
import { MembersTable } from './members-table.js';
import { RaftPanel } from './raft-panel.js';
import { renderSummary } from './summary.js';

interface Latest {
  readonly snapshot: StatusSnapshot;
  readonly feed: FeedName;
  /** The agent's clock minus the page's, as of the update: relative times use the agent's clock. */
  readonly skewMs: number;
}

export class StatusPage {
  private latest: Latest | undefined;
  private state: ConnectionState = { kind: 'connecting', attempt: 0 };
  private readonly history = new LoadHistory();
  private readonly members = new MembersTable(byId('members'));
  private readonly events = new EventLog(byId('events'));
  private readonly raft = new RaftPanel(byId('raft'));

  update(snapshot: StatusSnapshot, feed: FeedName): void {
    const skew = Date.parse(snapshot.time) - Date.now();
    this.latest = { snapshot, feed, skewMs: Number.isNaN(skew) ? 0 : skew };
    this.history.record(snapshot.members);
    this.draw();
  }

  connection(state: ConnectionState): void {
    this.state = state;
    this.draw();
  }

  draw(): void {
    const now = Date.now();
    renderConnection(byId('connection'), this.state, now);
    if (this.latest === undefined) return;
    const { snapshot, feed, skewMs } = this.latest;
    const agentNow = now + skewMs;
    renderSummary(snapshot, feed, agentNow);
    this.members.render(snapshot.members, (id) => this.history.of(id), agentNow);
    this.raft.render(snapshot.roles);
    this.events.render(snapshot.events, feed === 'websocket' ? 'No events yet.' : 'Events need the WebSocket feed.');
    setText(byId('updated'), `Updated ${relativeTime(snapshot.time, agentNow)} over ${feed === 'websocket' ? 'WebSocket' : 'SSE'}.`);
  }
}
