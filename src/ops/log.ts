/**
 * Structured logging: human lines on a terminal, JSON lines otherwise. A
 * logger and its children share one settings object and one set of taps, so
 * a SIGHUP that changes the level or format reaches every part at once, and a
 * tap sees every part's records.
 */
import { Chalk } from 'chalk';

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
export const isLogLevel = (s: unknown): s is LogLevel => LOG_LEVELS.includes(s as LogLevel);
export type LogFields = Readonly<Record<string, unknown>>;

export interface LogOutput {
  write(text: string): unknown;
  readonly isTTY?: boolean;
}

export interface LogSettings {
  level: LogLevel;
  /** `auto` is text when the output is a terminal, JSON otherwise. */
  format: 'auto' | 'text' | 'json';
  /** Colour text lines (only on a terminal without NO_COLOR). */
  color: boolean;
}

/** One log record, before any formatting: what a tap receives. */
export interface LogRecord {
  readonly time: Date;
  readonly level: LogLevel;
  readonly msg: string;
  readonly fields: LogFields;
}

/** Receives records; must not throw. */
export type LogTap = (record: LogRecord) => void;

interface Tap {
  readonly level: LogLevel;
  readonly receive: LogTap;
}

const rank = (level: LogLevel): number => LOG_LEVELS.indexOf(level);

export class Logger {
  private constructor(
    private readonly out: LogOutput,
    private readonly settings: LogSettings,
    private readonly taps: Set<Tap>,
    private readonly now: () => Date,
    private readonly fields: LogFields,
  ) {}

  static create(out: LogOutput, settings: LogSettings, now: () => Date = () => new Date()): Logger {
    return new Logger(out, { ...settings }, new Set(), now, {});
  }

  /** A logger that adds `fields` to every line and shares this one's settings and taps. */
  child(fields: LogFields): Logger {
    return new Logger(this.out, this.settings, this.taps, this.now, { ...this.fields, ...fields });
  }

  /**
   * Calls `receive` with every record at `level` or above, from this logger
   * and all its relatives, whatever their own level. Returns the unsubscribe.
   */
  tap(level: LogLevel, receive: LogTap): () => void {
    const tap: Tap = { level, receive };
    this.taps.add(tap);
    return () => this.taps.delete(tap);
  }

  /** Changes level and format for this logger and all its relatives. */
  configure(change: Partial<Pick<LogSettings, 'level' | 'format'>>): void {
    Object.assign(this.settings, change);
  }

  /** Whether records at `level` reach the output (taps aside). */
  enabled(level: LogLevel): boolean {
    return rank(level) >= rank(this.settings.level);
  }

  debug(msg: string, fields?: LogFields): void {
    this.log('debug', msg, fields);
  }
  info(msg: string, fields?: LogFields): void {
    this.log('info', msg, fields);
  }
  warn(msg: string, fields?: LogFields): void {
    this.log('warn', msg, fields);
  }
  error(msg: string, fields?: LogFields): void {
    this.log('error', msg, fields);
  }

  private log(level: LogLevel, msg: string, fields?: LogFields): void {
    const write = this.enabled(level);
    const taps = this.taps.size === 0 ? [] : [...this.taps].filter((t) => rank(level) >= rank(t.level));
    if (!write && taps.length === 0) return;
    const record: LogRecord = { time: this.now(), level, msg, fields: fields ? { ...this.fields, ...fields } : this.fields };
    if (write) this.out.write(`${this.format(record)}\n`);
    for (const t of taps) t.receive(record);
  }

  private format({ time, level, msg, fields }: LogRecord): string {
    const json = this.settings.format === 'json' || (this.settings.format === 'auto' && !this.out.isTTY);
    return json ? formatJson(time, level, msg, fields) : formatText(time, level, msg, fields, this.settings.color);
  }
}

export function formatJson(time: Date, level: LogLevel, msg: string, fields: LogFields): string {
  return JSON.stringify({ time: time.toISOString(), level, msg, ...fields }, (_key, value: unknown) =>
    value instanceof Error ? { message: value.message, code: (value as { code?: unknown }).code } : value,
  );
}

const LEVEL_STYLE = { debug: 'gray', info: 'cyan', warn: 'yellow', error: 'red' } as const;

export function formatText(time: Date, level: LogLevel, msg: string, fields: LogFields, color: boolean): string {
  const paint = new Chalk({ level: color ? 1 : 0 });
  const tag = paint[LEVEL_STYLE[level]](level.toUpperCase().padEnd(5));
  const extra = Object.entries(fields)
    .map(([k, v]) => paint.dim(`${k}=${showField(v)}`))
    .join(' ');
  return `${time.toISOString()} ${tag} ${msg}${extra ? `  ${extra}` : ''}`;
}

function showField(v: unknown): string {
  if (v instanceof Error) return JSON.stringify(v.message);
  if (typeof v === 'string') return /^[^\s"=]+$/.test(v) ? v : JSON.stringify(v);
  return JSON.stringify(v) ?? String(v);
}
