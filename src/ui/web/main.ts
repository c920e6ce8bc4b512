/** The web UI's entry point: connects to the agent that served the page and keeps the page live. */
import { StatusConnection } from './status-connection.js';
import { StatusPage } from './status-page.js';

const REDRAW_MS = 1000;

const page = new StatusPage();
new StatusConnection(window.location, {
  snapshot: (snapshot, feed) => page.update(snapshot, feed),
  state: (state) => page.connection(state),
}).start();
setInterval(() => page.draw(), REDRAW_MS);
