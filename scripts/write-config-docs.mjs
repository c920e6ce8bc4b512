// Writes docs/configuration.md from the schema (run after `npm run build`; `make docs` does both).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderConfigDocs } from '../lib/config/docs.js';

writeFileSync(join(import.meta.dirname, '..', 'docs', 'configuration.md'), renderConfigDocs());
