/** The process entry: hands argv and the real process to the CLI, and sets the exit code. */
import { hostname } from 'node:os';
import { main } from './cli/main.js';
import { processSignals } from './runtime/signals.js';

void main(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  signals: processSignals,
  exitNow: (code) => process.exit(code),
  hostname,
}).then((code) => {
  process.exitCode = code;
  // The command is done. Should anything still hold the event loop (a bug),
  // leave anyway rather than hang past the stop deadline.
  setTimeout(() => process.exit(code), 2000).unref();
});
