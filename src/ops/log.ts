/**
 * Structured logging: human lines on a terminal, JSON lines otherwise. A
 * logger and its children share one settings object, so a SIGHUP that
 * changes the level or format reaches every part at once.
 */
import { Chalk } from 'chalk';

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
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

export class Logger {
  private constructor(
    private readonly out: LogOutput,
    private readonly settings: LogSettings,
    private readonly now: () => Date,
    private readonly fields: LogFields,
  ) {}

  static create(out: LogOutput, settings: LogSettings, now: () => Date = () => new Date()): Logger {
    return new Logger(out, { ...settings }, now, {});
  }

  /** A logger that adds `fields` to every line and shares this one's settings. */
  child(fields: LogFields): Logger {
    return new Logger(this.out, this.settings, this.now, { ...this.fields, ...fields });
  }

  /** Changes level and format for this logger and all its relatives. */
  configure(change: Partial<Pick<LogSettings, 'level' | 'format'>>): void {
    Object.assign(this.settings, change);
  }

  enabled(level: LogLevel): boolean {
    return LOG_LEVELS.indexOf(level) >= LOG_LEVELS.indexOf(this.settings.level);
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
    if (!this.enabled(level)) return;
    const all = fields ? { ...this.fields, ...fields } : this.fields;
    const json = this.settings.format === 'json' || (this.settings.format === 'auto' && !this.out.isTTY);
    const line = json ? formatJson(this.now(), level, msg, all) : formatText(this.now(), level, msg, all, this.settings.color);
    this.out.write(`${line}\n`);
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
