/**
 * The agent: its parts in start order, the `/health` endpoint, SIGHUP reload
 * and the stop on SIGTERM or SIGINT. Roles and membership plug in as parts.
 */
import { applyLive, diffConfig } from '../config/diff.js';
import type { AgentConfig } from '../config/load.js';
import { formatHostPort, type HostPort } from '../config/values.js';
import { AgentError, ConfigInvalidError, ExitCode } from '../errors.js';
import type { MemberMeta } from '../core/membership/types.js';
import type { Logger } from '../ops/log.js';
import { VERSION } from '../version.js';
import { DataDir } from './data-dir.js';
import { agentRoutes } from './agent-routes.js';
import type { ApiAuth } from './http-guard.js';
import { HttpListener } from './http-listener.js';
import { Lifecycle, type Part } from './lifecycle.js';
import { ListenerStats } from './listener-stats.js';
import { LogMonitor } from './log-monitor.js';
import { advertiseAddress } from './membership/advertise.js';
import { MembershipService } from './membership/service.js';
import { metricsRoutes } from './metrics-route.js';
import { AgentMetrics } from '../ops/metrics.js';
import { StatusFeed } from './status-feed.js';
import { takeSnapshot } from './status.js';
import { uiRoutes } from '../ui/web-routes.js';
import { RaftRole } from '../roles/raft/role.js';
import type { StatusSnapshot } from '../ops/snapshot.js';
import type { AgentSignal, Signals } from './signals.js';

export interface AgentEnv {
  readonly log: Logger;
  /** Re-reads the config the agent was started with (for SIGHUP). */
  reloadConfig(): Promise<AgentConfig>;
  /** Milliseconds from a monotonic clock. */
  monotonicMs(): number;
}

export class Agent {
  private readonly lifecycle: Lifecycle;
  private readonly web: HttpListener | undefined;
  readonly membership: MembershipService;
  private readonly raft: RaftRole | undefined;
  private readonly startedAt: number;

  constructor(
    private config: AgentConfig,
    private readonly env: AgentEnv,
  ) {
    const log = env.log;
    this.startedAt = env.monotonicMs();
    this.membership = new MembershipService(config, log.child({ part: 'membership' }), () => this.meta());
    const parts: Part[] = [new DataDir(config.agent.data_dir)];
    const streamDrops = { status: () => 0, monitor: () => 0 };
    const listeners = new ListenerStats();
    const auth: ApiAuth = { token: () => this.config.agent.api_token, reads: () => this.config.agent.api_token_reads };
    const metrics = new AgentMetrics(() => ({ snapshot: this.snapshot(), streamDrops: { status: streamDrops.status(), monitor: streamDrops.monitor() }, listeners }));
    if (config.agent.web !== null) {
      const webLog = log.child({ part: 'web' });
      const feed = new StatusFeed({ take: () => this.snapshot(), onChange: (l) => this.membership.onChange(l), log: webLog });
      const monitor = new LogMonitor({ log: webLog, token: () => this.config.agent.api_token });
      streamDrops.status = () => feed.dropped;
      streamDrops.monitor = () => monitor.dropped;
      const routes = agentRoutes({
        config: () => this.config,
        uptime: () => this.uptime(),
        membership: this.membership,
        snapshot: () => this.snapshot(),
        feed,
        extra: [metricsRoutes(metrics), monitor.routes, uiRoutes()],
      });
      this.web = new HttpListener('web', config.agent.web, routes, webLog, { auth, stats: listeners, upgrade: (req, socket, head) => feed.upgrade(req, socket, head) });
      // Stopped before the listener (parts stop in reverse), so open streams do not hold it up.
      parts.push(this.web, feed, monitor);
    }
    // Roles listen before membership starts, so that gossip advertises their addresses from the first packet.
    if (config.agent.roles.includes('raft')) {
      this.raft = new RaftRole({ config: () => this.config, log: log.child({ part: 'raft' }), members: () => this.membership.members(), metrics, uptime: () => this.uptime(), auth, listenerStats: listeners });
      parts.push(this.raft);
    }
    parts.push(this.membership);
    this.lifecycle = new Lifecycle(parts, log);
  }

  /** Seconds since the agent started, to the millisecond. */
  uptime(): number {
    return Math.round(this.env.monotonicMs() - this.startedAt) / 1000;
  }

  /** Everything the status views show, as of now. */
  snapshot(): StatusSnapshot {
    return takeSnapshot({ config: () => this.config, uptime: () => this.uptime(), membership: this.membership, web: () => this.webAddress, roles: () => this.roleSlots() });
  }

  private roleSlots(): Record<string, unknown> {
    return this.raft ? { raft: this.raft.status() } : {};
  }

  /** The running config: the started one plus whatever SIGHUP applied live. */
  get currentConfig(): AgentConfig {
    return this.config;
  }

  get webAddress(): HostPort | undefined {
    return this.web?.boundAddress;
  }

  async start(): Promise<void> {
    await this.lifecycle.start(this.config.agent.stop_timeout);
    const { agent, cluster } = this.config;
    this.env.log.info(`dinc-agent ${VERSION} running`, {
      id: agent.id,
      cluster: cluster.name,
      web: this.webAddress ? formatHostPort(this.webAddress) : 'off',
      roles: agent.roles.length > 0 ? agent.roles.join(',') : 'none',
      data_dir: agent.data_dir,
    });
  }

  /** Stops every part within `[agent] stop_timeout`; true when all stopped cleanly. */
  stop(): Promise<boolean> {
    return this.lifecycle.stop(this.config.agent.stop_timeout);
  }

  /** Re-reads the config; applies what can change live, logs what needs a restart, keeps the old config on error. */
  async reload(): Promise<void> {
    const log = this.env.log;
    let next: AgentConfig;
    try {
      next = await this.env.reloadConfig();
    } catch (e) {
      if (!(e instanceof AgentError)) throw e;
      const problems = e instanceof ConfigInvalidError ? e.problems : [e.message];
      log.error('reload failed; the running config stays in force', { code: e.code, problems });
      return;
    }
    const changes = diffConfig(this.config, next);
    this.config = applyLive(this.config, next, changes);
    log.configure({ level: this.config.agent.log_level, format: this.config.agent.log_format });
    this.lifecycle.reload(this.config);
    const show = (c: (typeof changes)[number]): string => `${c.name} ${c.from} -> ${c.to}`;
    const applied = changes.filter((c) => c.live).map(show);
    const waiting = changes.filter((c) => !c.live).map(show);
    log.info(applied.length > 0 ? 'config reloaded' : 'config reloaded; nothing to apply live', { applied });
    if (waiting.length > 0) log.warn('config changes that need a restart to take effect', { needs_restart: waiting });
  }

  /** What this agent advertises to the cluster. */
  private meta(): MemberMeta {
    const { bind_address, advertise_address } = this.config.agent;
    // A wildcard listener is reached at this agent's advertised address.
    const reachable = (listener: HostPort | undefined): string | undefined => {
      if (listener === undefined) return undefined;
      const host = listener.host === '0.0.0.0' || listener.host === '::' ? advertiseAddress(bind_address, advertise_address) : listener.host;
      return formatHostPort({ host, port: listener.port });
    };
    const services: Record<string, string> = {};
    const web = reachable(this.webAddress);
    const raft = reachable(this.raft?.listenAddress);
    if (web) services.web = web;
    if (raft) services.raft = raft;
    return { roles: this.config.agent.roles, services, tags: {}, version: VERSION };
  }
}

/**
 * Runs an agent until SIGTERM or SIGINT and returns the exit code: 0 after a
 * clean stop, 1 when a part failed or the stop deadline passed, the error's
 * own code when the agent cannot start. SIGHUP reloads. A second stop signal
 * calls `exitNow(1)` at once.
 */
export async function runAgent(
  config: AgentConfig,
  env: AgentEnv & { readonly signals: Signals; exitNow(code: number): void },
): Promise<ExitCode> {
  const log = env.log;
  const agent = new Agent(config, env);
  let running = false;
  let reloadWhenRunning = false;
  let stopping = false;
  let stopOn!: (signal: AgentSignal) => void;
  const stopSignal = new Promise<AgentSignal>((resolve) => (stopOn = resolve));
  const requestStop = (signal: AgentSignal): void => {
    if (stopping) {
      log.warn(`${signal} again: exiting now`);
      env.exitNow(ExitCode.Failure);
      return;
    }
    stopping = true;
    stopOn(signal);
  };
  const reload = (): void => {
    log.info('SIGHUP: reloading config');
    agent.reload().catch((error: unknown) => log.error('reload failed', { error }));
  };
  const unsubscribe = [
    env.signals.on('SIGTERM', () => requestStop('SIGTERM')),
    env.signals.on('SIGINT', () => requestStop('SIGINT')),
    env.signals.on('SIGHUP', () => {
      if (stopping) return;
      if (running) reload();
      else reloadWhenRunning = true;
    }),
  ];
  try {
    try {
      await agent.start();
      running = true;
      if (reloadWhenRunning && !stopping) reload();
    } catch (e) {
      if (!(e instanceof AgentError)) throw e;
      log.error(e.message, { code: e.code });
      return e.exitCode;
    }
    const signal = await stopSignal;
    log.info(`${signal}: stopping`, { deadline_ms: agent.currentConfig.agent.stop_timeout });
    const clean = await agent.stop();
    log.info(clean ? 'stopped' : 'stopped with errors');
    return clean ? ExitCode.Ok : ExitCode.Failure;
  } finally {
    for (const off of unsubscribe) off();
  }
}
