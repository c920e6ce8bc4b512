// Writes docs/errors.md's HTTP API table from src/error-codes.ts (run after `npm run build`; `make docs` does both).
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderHttpErrorTable } from '../lib/error-codes.js';

const path = join(import.meta.dirname, '..', 'docs', 'errors.md');
const [before, after] = readFileSync(path, 'utf8').split('## HTTP API\n');
if (after === undefined) throw new Error('docs/errors.md has no "## HTTP API" section');
const rest = after.replace(/^\n?(\|.*\|\n)+/m, '');
writeFileSync(path, `${before}## HTTP API\n\n${renderHttpErrorTable()}${rest}`);
