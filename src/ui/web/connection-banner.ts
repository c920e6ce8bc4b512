/** The connection line at the top: live, connecting, or disconnected with the time to the next try. */
import { connectionText, type ConnectionState } from './connection-state.js';
import { setAttribute, setText } from './dom.js';

export function renderConnection(banner: HTMLElement, state: ConnectionState, nowMs: number): void {
  const name = state.kind === 'retrying' ? 'disconnected' : state.kind;
  setAttribute(banner, 'data-state', name);
  setText(banner, connectionText(state, nowMs));
  setAttribute(document.body, 'data-connection', name);
}
