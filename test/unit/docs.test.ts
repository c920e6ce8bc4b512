import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderConfigDocs } from '../../src/config/docs.js';
import { VERSION } from '../../src/version.js';

const root = join(import.meta.dirname, '..', '..');
const read = (path: string): string => readFileSync(join(root, path), 'utf8');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sourceFiles(path) : path.endsWith('.ts') ? [path] : [];
  });
}

describe('docs stay true to the code', () => {
  it('docs/configuration.md is what the schema renders (run `make docs` after changing it)', () => {
    expect(read('docs/configuration.md')).toBe(renderConfigDocs());
  });

  it('docs/errors.md lists every error code the source can produce, and no other', () => {
    const inSource = new Set(sourceFiles(join(root, 'src')).flatMap((f) => [...readFileSync(f, 'utf8').matchAll(/'(DINC_[A-Z_]+)'/g)].map((m) => m[1])));
    const inDocs = new Set([...read('docs/errors.md').matchAll(/^\| `(DINC_[A-Z_]+)` \|/gm)].map((m) => m[1]));
    expect([...inDocs].sort()).toEqual([...inSource].sort());
  });

  it('src/version.ts agrees with package.json', () => {
    expect(VERSION).toBe((JSON.parse(read('package.json')) as { version: string }).version);
  });
});
