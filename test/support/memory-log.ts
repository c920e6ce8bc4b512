/** A logger that keeps its lines as parsed JSON records, for assertions. */
import { Logger, type LogLevel } from '../../src/ops/log.js';

export interface LogRecord {
  readonly level: string;
  readonly msg: string;
  readonly [field: string]: unknown;
}

export function memoryLogger(level: LogLevel = 'debug'): { log: Logger; records: LogRecord[] } {
  const records: LogRecord[] = [];
  const log = Logger.create({ write: (line: string) => records.push(JSON.parse(line) as LogRecord) }, { level, format: 'json', color: false });
  return { log, records };
}
