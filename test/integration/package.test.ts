import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { VERSION } from '../../src/version.js';
import { ROOT } from '../support/agent-process.js';

const npm = (args: string[], cwd: string): string =>
  execFileSync('npm', [...args, '--no-audit', '--no-fund', '--loglevel=error'], { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

describe('the npm package', () => {
  const dest = mkdtempSync(join(tmpdir(), 'dinc-pack-'));
  const [packed] = JSON.parse(npm(['pack', '--json', '--pack-destination', dest], ROOT)) as { filename: string; files: { path: string }[] }[];
  const files = (packed?.files ?? []).map((f) => f.path);

  it('holds the compiled CLI, its docs and examples, and no sources, tests or tools', () => {
    for (const f of ['package.json', 'README.md', 'bin/dinc-agent', 'lib/bin.js', 'lib/cli/main.js', 'cluster.conf.example', 'docs/configuration.md', 'docs/errors.md', 'examples/systemd/dinc-agent.service']) {
      expect(files).toContain(f);
    }
    expect(files.filter((f) => /^(src|test|tools|bench|scripts|node_modules|dist)\/|\.ts$|\.map$/.test(f))).toEqual([]);
  });

  it('installs elsewhere and runs dinc-agent --version', () => {
    const app = mkdtempSync(join(tmpdir(), 'dinc-install-'));
    writeFileSync(join(app, 'package.json'), '{"name":"consumer","private":true}');
    npm(['install', join(dest, packed?.filename ?? '')], app);
    expect(execFileSync(join(app, 'node_modules', '.bin', 'dinc-agent'), ['--version'], { encoding: 'utf8' })).toBe(`${VERSION}\n`);
    expect(npm(['exec', '--no', '--', 'dinc-agent', '--version'], app)).toBe(`${VERSION}\n`);
  });

  it('runs through npx in a fresh clone after npm ci (which builds lib/)', () => {
    const clone = mkdtempSync(join(tmpdir(), 'dinc-clone-'));
    const tracked = execFileSync('git', ['ls-files', '-z'], { cwd: ROOT, encoding: 'utf8' }).split('\0').filter((f) => f !== '' && existsSync(join(ROOT, f)));
    for (const f of tracked) cpSync(join(ROOT, f), join(clone, f));
    expect(existsSync(join(clone, 'lib'))).toBe(false);
    npm(['ci', '--prefer-offline'], clone);
    expect(execFileSync('npx', ['--no-install', 'dinc-agent', '--help'], { cwd: clone, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })).toContain('Usage: dinc-agent');
  }, 180_000);
});
