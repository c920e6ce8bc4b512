// Writes src/version.ts from package.json; `npm version` runs it (see package.json).
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const text = `// Written by scripts/write-version.mjs from package.json; a test checks they agree.\nexport const VERSION = '${version}';\n`;
writeFileSync(join(root, 'src', 'version.ts'), text);
