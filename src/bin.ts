/** The process entry: hands argv and the real process to the CLI, and sets the exit code. */
import { hostname } from 'node:os';
import { main } from './cli/main.js';
import { processSignals } from './runtime/signals.js';
import { processTerminal } from './ui/terminal/process-terminal.js';

// A reader that went away (EPIPE) must not bring the agent down; its lines are lost, nothing else.
for (const stream of [process.stdout, process.stderr]) stream.on('error', () => undefined);

void main(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  signals: processSignals,
  terminal: processTerminal(),
  exitNow: (code) => process.exit(code),
  hostname,
}).then((code) => {
  // The command is done: leave once its output is flushed, even if something
  // abandoned at the stop deadline still holds the event loop.
  process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
});
