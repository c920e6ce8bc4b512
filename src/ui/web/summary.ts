/** The header, any warnings, and the summary cards: cluster, this agent, leader, quorum, member counts. */
import type { StatusSnapshot } from '../../ops/snapshot.js';
import { byId, h, setAttribute, setText } from './dom.js';
import { formatUptime, quorumText, relativeTime } from './format.js';
import type { FeedName } from './connection-state.js';

export function renderSummary(snapshot: StatusSnapshot, feed: FeedName, agentNowMs: number): void {
  const { cluster, agent, leader, members } = snapshot;
  const full = feed === 'websocket';
  document.title = `${cluster.name} · dinc-agent`;
  setText(byId('cluster-name'), cluster.name);
  setText(byId('agent-name'), `seen from ${agent.id}`);
  renderWarnings(snapshot.warnings ?? []);

  setText(byId('leader'), leader.id ?? 'none');
  setAttribute(byId('leader-card'), 'data-ok', String(leader.id !== null));
  const leaderDetail = leader.id === null ? leader.reason : `${leader.self ? 'this agent' : 'another agent'}${full ? `, since ${relativeTime(leader.since, agentNowMs)}` : ''}`;
  setText(byId('leader-detail'), leaderDetail);

  const quorum = quorumText(leader, full);
  setText(byId('quorum'), quorum.label);
  setText(byId('quorum-detail'), quorum.detail);
  setAttribute(byId('quorum-card'), 'data-ok', String(quorum.ok));

  const alive = members.filter((m) => m.state === 'alive').length;
  const others = (['suspect', 'dead', 'left'] as const).map((state) => [state, members.filter((m) => m.state === state).length] as const).filter(([, n]) => n > 0);
  setText(byId('member-count'), `${alive} of ${members.length} alive`);
  setText(byId('member-detail'), others.length === 0 ? 'all alive' : others.map(([state, n]) => `${n} ${state}`).join(', '));
  setAttribute(byId('members-card'), 'data-ok', String(others.every(([state]) => state === 'left')));

  setText(byId('agent-id'), agent.id);
  setText(byId('agent-detail'), full ? `v${agent.version}, up ${formatUptime(agent.uptime_s)}` : 'basic view: the agent is reached over SSE');
}

/** What the agent warns about (listeners without authentication, ...), each in full; hidden when there is nothing. */
function renderWarnings(warnings: readonly string[]): void {
  const list = byId('warnings');
  const shown = [...list.children].map((li) => li.textContent);
  if (shown.length !== warnings.length || shown.some((text, i) => text !== warnings[i])) list.replaceChildren(...warnings.map((w) => h('li', {}, w)));
  list.hidden = warnings.length === 0;
}
