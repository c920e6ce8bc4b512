/**
 * The CLI: `main(argv, io)` parses the arguments, runs one command and
 * resolves to the exit code. It never exits the process itself.
 */
import { Command, CommanderError, Option } from 'commander';
import { AgentError, ConfigInvalidError, ExitCode } from '../errors.js';
import { LOG_LEVELS, type LogLevel } from '../ops/log.js';
import { VERSION } from '../version.js';
import { normalizeArgv } from './argv.js';
import { configValidate } from './config-validate.js';
import { addConfigFlags, configFlagNames, overridesFrom } from './flags.js';
import type { CliIO } from './io.js';
import { join } from './join.js';
import { keygen } from './keygen.js';
import { members } from './members.js';
import { monitor } from './monitor.js';
import { ready, type ReadyOptions } from './ready.js';
import { raftAdd, raftListPeers, raftRemove, raftTransferLeader, type RaftTarget } from './raft.js';
import { start } from './start.js';
import { status, type StatusOptions } from './status.js';

/** Builds the program; each action stores its exit code through `done`. */
export function buildProgram(io: CliIO, done: (code: ExitCode) => void): Command {
  const program = new Command('dinc-agent')
    .description('Cluster agent: discovery, membership, leader by node ID, and roles on top.')
    .version(VERSION, '-V, --version', 'print the version')
    .helpOption('-h, --help', 'show help')
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
    })
    .showSuggestionAfterError(true)
    .addHelpText(
      'after',
      '\nExit codes: 0 ok, 1 runtime failure, 2 bad usage or bad config.\nGoCluster-style flags work too: dinc-agent -config cluster.conf -port 7946',
    );

  addConfigFlags(program.command('start').description('run the agent until SIGTERM or SIGINT (SIGHUP reloads the config)')).action(
    async (opts: Record<string, unknown>) => {
      done(await start({ config: opts.config as string | undefined, overrides: overridesFrom(opts) }, io));
    },
  );

  // Positional options: after a subcommand's name, `--config` is the subcommand's (the file to read the address from), not the parent's.
  const raft = addConfigFlags(
    program.command('raft').description('run the agent with the raft role added (as start does); or, with a subcommand, change and show the Raft group'),
  )
    .enablePositionalOptions()
    .action(async (opts: Record<string, unknown>) => {
      done(await start({ config: opts.config as string | undefined, overrides: overridesFrom(opts), role: 'raft' }, io));
    });
  /** The subcommand's target; `raft --config FILE list-peers` counts too. */
  const raftTarget = (opts: RaftTarget): RaftTarget => ({ ...opts, config: opts.config ?? (raft.opts().config as string | undefined) });
  const raftCommand = (name: string, description: string): Command =>
    raft
      .command(name)
      .description(description)
      .option('--addr <host:port>', "a member's Raft API (default: [raft] listen of --config, else 127.0.0.1:5001)")
      .option('--config <file>', 'read the Raft API address, and [agent] api_token, from this cluster.conf')
      .option('--token <token>', 'the [agent] api_token, if set (default: env DINC_API_TOKEN, else [agent] api_token of --config)')
      .option('--json', 'print the answer as JSON');
  raftCommand('list-peers', "list the group's members: Consul's columns (node, id, address, state, voter, commit index, trails leader by)").action(
    async (opts: RaftTarget) => done(await raftListPeers(raftTarget(opts), io)),
  );
  raftCommand('add', 'add a member: a learner first, a voter once it has caught up')
    .argument('<id>', "the new member's [agent] id")
    .argument('<address>', 'its Raft listener, host:port')
    .action(async (id: string, address: string, opts: RaftTarget) => done(await raftAdd(id, address, raftTarget(opts), io)));
  raftCommand('remove', 'remove a member (the leader included: it hands over first)')
    .argument('<id>', "the member's [agent] id")
    .action(async (id: string, opts: RaftTarget) => done(await raftRemove(id, raftTarget(opts), io)));
  raftCommand('transfer-leader', 'hand leadership to a member (default: the most caught-up voter)')
    .argument('[id]', 'the member to lead')
    .action(async (id: string | undefined, opts: RaftTarget) => done(await raftTransferLeader(id, raftTarget(opts), io)));

  const config = program.command('config').description('work with cluster.conf files');
  addConfigFlags(
    config
      .command('validate')
      .description('check a config file and report every problem, and every warning (such as a listener beyond loopback without authentication)')
      .argument('[file]', 'the file to check (or --config)')
      .option('--strict', 'fail (exit 2) on warnings too'),
  ).action(async (file: string | undefined, opts: Record<string, unknown>) => {
    done(await configValidate(file ?? (opts.config as string | undefined), { overrides: overridesFrom(opts), strict: opts.strict === true }, io));
  });

  program
    .command('members')
    .description("list the cluster's members as the agent sees them, with the leader")
    .option('--addr <host:port>', "the agent's HTTP API (default: [agent] web of --config, else 127.0.0.1:8080)")
    .option('--config <file>', 'read the API address from this cluster.conf')
    .option('--json', 'print the members as JSON')
    .action(async (opts: { addr?: string; config?: string; json?: boolean }) => done(await members(opts, io)));

  program
    .command('status')
    .description('show the cluster: members with state, roles and load, the leader and its quorum, recent events')
    .option('--addr <host:port>', "the agent's HTTP API (default: [agent] web of --config, else 127.0.0.1:8080)")
    .option('--config <file>', 'read the API address from this cluster.conf')
    .option('--json', 'print the status snapshot as JSON')
    .option('--watch', 'keep the view live, full screen, until q or Ctrl-C (needs a terminal)')
    .action(async (opts: StatusOptions) => done(await status(opts, io)));

  program
    .command('ready')
    .description('wait until the agent can serve (GET /ready answers 200): exit 0 then, 1 when --timeout passes first')
    .option('--addr <host:port>', "the agent's HTTP API (default: [agent] web of --config, else 127.0.0.1:8080)")
    .option('--config <file>', 'read the API address from this cluster.conf')
    .option('--timeout <duration>', 'how long to wait, such as 30s or 2m', '30s')
    .option('--quiet', 'print nothing when ready')
    .action(async (opts: ReadyOptions) => done(await ready(opts, io)));

  program
    .command('join')
    .description('tell the running agent to join the agents at the given addresses')
    .argument('<address...>', 'gossip address host:port of an agent to join (port default: [agent] port)')
    .option('--addr <host:port>', "the agent's HTTP API (default: [agent] web of --config, else 127.0.0.1:8080)")
    .option('--config <file>', 'read the API address, and [agent] api_token, from this cluster.conf')
    .option('--token <token>', 'the [agent] api_token, if the agent has one (default: env DINC_API_TOKEN, else [agent] api_token of --config)')
    .action(async (addresses: string[], opts: { addr?: string; config?: string; token?: string }) => done(await join(addresses, opts, io)));

  program
    .command('monitor')
    .description("follow the running agent's log as it happens, at a level of its own (Ctrl-C to stop)")
    .option('--addr <host:port>', "the agent's HTTP API (default: [agent] web of --config, else 127.0.0.1:8080)")
    .option('--config <file>', 'read the API address from this cluster.conf')
    .addOption(new Option('--level <level>', 'the lowest level to show, whatever the agent logs itself').choices(LOG_LEVELS).default('info'))
    .option('--json', "print the agent's JSON records instead of text lines")
    .option('--token <token>', 'the [agent] api_token, if the agent has one (default: env DINC_API_TOKEN, else [agent] api_token of --config)')
    .action(async (opts: { addr?: string; config?: string; level: LogLevel; json?: boolean; token?: string }) => done(await monitor(opts, io)));

  program
    .command('keygen')
    .description('print a new random key for [cluster] encrypt_key')
    .action(() => done(keygen(io)));

  return program;
}

/** Runs the CLI on `argv` (without node and script) and resolves to the exit code. */
export async function main(argv: readonly string[], io: CliIO): Promise<ExitCode> {
  let code: ExitCode = ExitCode.Ok;
  const program = buildProgram(io, (c) => (code = c));
  try {
    await program.parseAsync(normalizeArgv(argv, configFlagNames()), { from: 'user' });
    return code;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.exitCode === 0) return ExitCode.Ok;
      io.stderr.write('dinc-agent: bad usage; see dinc-agent --help (DINC_USAGE)\n');
      return ExitCode.Usage;
    }
    if (e instanceof ConfigInvalidError) {
      io.stderr.write(`${e.problems.join('\n')}\n`);
      io.stderr.write(`dinc-agent: invalid configuration: ${e.problems.length} problem${e.problems.length === 1 ? '' : 's'} (${e.code})\n`);
      return e.exitCode;
    }
    if (e instanceof AgentError) {
      io.stderr.write(`dinc-agent: ${e.message} (${e.code})\n`);
      return e.exitCode;
    }
    io.stderr.write(`dinc-agent: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    return ExitCode.Failure;
  }
}
