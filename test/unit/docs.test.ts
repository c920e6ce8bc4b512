import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { renderConfigDocs } from '../../src/config/docs.js';
import { SCHEMA, settingOf, type SectionName } from '../../src/config/schema.js';
import { ERROR_CODES, renderHttpErrorTable } from '../../src/error-codes.js';
import { fakeIO } from '../support/fake-io.js';
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
    expect(Object.keys(ERROR_CODES).sort()).toEqual([...inSource].sort());
  });

  it('docs/errors.md\'s HTTP table is what error-codes.ts renders (run `make docs` after changing it)', () => {
    const http = read('docs/errors.md').split('## HTTP API\n\n')[1] ?? '';
    expect(http.startsWith(renderHttpErrorTable())).toBe(true);
    expect(http.slice(renderHttpErrorTable().length).trim()).toBe('');
  });

  it('docs/errors.md\'s command-line and agent tables give each code the exit code and meaning of error-codes.ts', () => {
    const cli = read('docs/errors.md').split('## HTTP API')[0] ?? '';
    const rows = [...cli.matchAll(/^\| `(DINC_[A-Z_]+)` \| (\d) \| (.*) \| .* \|$/gm)].map((m) => [m[1] ?? '', { exit: Number(m[2]), meaning: m[3] }] as const);
    const table = Object.entries(ERROR_CODES as Record<string, { cli?: { exit: number; meaning: string } }>).flatMap(([code, { cli }]) => (cli === undefined ? [] : [[code, cli] as const]));
    expect(rows.sort(([a], [b]) => a.localeCompare(b))).toEqual(table.sort(([a], [b]) => a.localeCompare(b)));
  });

  it('docs/configuration.md says the raft role runs (a key/value store, locks and queues later) and the other roles are coming', () => {
    const section = (name: string): string => renderConfigDocs().split(`## [${name}]`)[1]?.split('\n## ')[0] ?? '';
    expect(section('raft')).not.toContain('not in this build');
    expect(section('raft')).toContain('Locks and queues come later');
    for (const role of ['registry', 'node', 'balancer']) expect(section(role), role).toContain('This role is coming; it is not in this build.');
  });

  it('the README says what is so: the Node version of package.json, roles that are coming, a config file that exists', () => {
    const readme = read('README.md');
    const engines = (JSON.parse(read('package.json')) as { engines: { node: string } }).engines.node;
    expect(engines).toBe('>=20.17.0');
    expect(readme).toContain('Node.js 20.17 or later');
    expect(readme).not.toMatch(/Node\.js 20 or later/);
    expect(readme).not.toMatch(/\(offline\)/);
    expect(readme).toContain('cp cluster.conf.example cluster.conf');
    expect(readme).toMatch(/install .*cluster\.conf\.example \/etc\/dinc-agent\/cluster\.conf/);
    expect(readme.split('\n\n')[1]).toMatch(/registry.*coming/s);
    expect(readme).toContain('Leader (membership, lowest ID)');
  });

  it('every dinc-agent command the README names exists', async () => {
    const readme = read('README.md');
    const named = new Set([...readme.matchAll(/`dinc-agent ((?:config |raft )?[a-z][a-z-]*)/g)].map((m) => (m[1] as string).trim()));
    expect(named.size).toBeGreaterThan(8);
    for (const command of named) {
      const io = fakeIO();
      expect(await main([...command.split(' '), '--help'], io), `dinc-agent ${command}`).toBe(0);
    }
  });

  it('every [section] key the README names is a setting', () => {
    const readme = read('README.md');
    const named = [...readme.matchAll(/`\[([a-z]+)\] ([a-z_]+)`/g)].map((m) => [m[1] as string, m[2] as string] as const);
    expect(named.length).toBeGreaterThan(3);
    for (const [section, key] of named) expect(Object.hasOwn(SCHEMA, section) && settingOf(section as SectionName, key) !== undefined, `[${section}] ${key}`).toBe(true);
  });

  it('src/version.ts agrees with package.json', () => {
    expect(VERSION).toBe((JSON.parse(read('package.json')) as { version: string }).version);
  });
});
