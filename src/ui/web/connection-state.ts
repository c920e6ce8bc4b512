/** The state of the page's link to its agent, and how the page words it. Pure. */

/** Which feed delivers: the full WebSocket stream, or GoCluster's basic SSE view. */
export type FeedName = 'websocket' | 'events';

export type ConnectionState =
  | { readonly kind: 'connecting'; readonly attempt: number }
  | { readonly kind: 'live'; readonly feed: FeedName }
  | { readonly kind: 'retrying'; readonly attempt: number; readonly retryAtMs: number };

/** What the banner says in `state` at `nowMs`. */
export function connectionText(state: ConnectionState, nowMs: number): string {
  switch (state.kind) {
    case 'live':
      return state.feed === 'websocket' ? 'Live' : 'Live (basic SSE feed)';
    case 'connecting':
      return state.attempt === 0 ? 'Connecting…' : `Reconnecting (attempt ${state.attempt + 1})…`;
    case 'retrying': {
      const seconds = Math.ceil((state.retryAtMs - nowMs) / 1000);
      return seconds > 0 ? `Disconnected, retrying in ${seconds}s` : 'Disconnected, retrying now';
    }
  }
}
