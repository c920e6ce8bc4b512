/** `dinc-agent keygen`: print a new random key for `[cluster] encrypt_key`. */
import { randomBytes } from 'node:crypto';
import { ExitCode } from '../errors.js';
import type { CliIO } from './io.js';

export function keygen(io: CliIO): ExitCode {
  io.stdout.write(`${randomBytes(32).toString('base64')}\n`);
  return ExitCode.Ok;
}
