// Writes src/version.ts from package.json; `npm version` runs it (see package.json).
import { readFileSync, writeFileSync } from 'node:fs';

const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const text = `// Written by scripts/write-version.mjs from package.json; a test checks they agree.\nexport const VERSION = '${version}';\n`;
writeFileSync(new URL('../src/version.ts', import.meta.url), text);
