import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { VERSION } from '../../src/version.js';
import { ROOT, killAgents, spawnAgent, webAddressOf } from '../support/agent-process.js';
import { hasTool } from '../support/prerequisite.js';

const BINARY = join(ROOT, 'dist', 'dinc-agent-linux-x64');
/** An environment in which no `node` can be found. */
const NO_NODE = { PATH: '/nonexistent' };

/** What the build wrote to stderr. */
let buildStderr = '';

beforeAll(() => {
  const build = spawnSync(process.execPath, [join(ROOT, 'scripts', 'build-binary.mjs')], { cwd: ROOT, encoding: 'utf8' });
  if (build.status !== 0) throw new Error(`build-binary failed:\n${build.stderr}`);
  buildStderr = build.stderr;
});
afterEach(killAgents);

describe('the standalone binary, built in this run', () => {
  it("the build prints none of postject's harmless section-name warnings", () => {
    expect(buildStderr).not.toContain("Can't find string offset");
  });

  it('prints its version with no Node.js on the PATH', () => {
    const r = spawnSync(BINARY, ['--version'], { env: NO_NODE, encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(`${VERSION}\n`);
    expect(r.status).toBe(0);
  });

  it('starts, serves /health and the embedded web UI, and stops with exit 0 on SIGTERM, with no Node.js on the PATH', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dinc-binary-'));
    const agent = await spawnAgent(['start', '--id', 'bin1', '--web', '127.0.0.1:0', '--data-dir', join(dir, 'data')], { command: BINARY, env: NO_NODE });
    const started = await agent.waitFor((r) => r.msg === `dinc-agent ${VERSION} running`);
    expect(await (await fetch(`${webAddressOf(started)}/health`)).json()).toMatchObject({ status: 'ok', id: 'bin1', version: VERSION });
    const page = await fetch(`${webAddressOf(started)}/`);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await page.text()).toContain('/ui/app.js');
    expect((await (await fetch(`${webAddressOf(started)}/ui/app.js`)).text()).length).toBeGreaterThan(1000);
    agent.child.kill('SIGTERM');
    expect(await agent.exited).toBe(0);
  });

  it('reports a broken config with file:line and exit 2', () => {
    const conf = join(mkdtempSync(join(tmpdir(), 'dinc-binary-')), 'cluster.conf');
    writeFileSync(conf, '[agent]\nweb = nowhere\n');
    const r = spawnSync(BINARY, ['start', '--config', conf], { env: NO_NODE, encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`${conf}:2: [agent] web = nowhere: must be host:port`);
  });

  it.runIf(hasTool('systemd-analyze', 'apt-get install systemd'))('the example systemd unit verifies against it', () => {
    const unit = join(mkdtempSync(join(tmpdir(), 'dinc-unit-')), 'dinc-agent.service');
    writeFileSync(unit, readFileSync(join(ROOT, 'examples', 'systemd', 'dinc-agent.service'), 'utf8').replaceAll('=/usr/local/bin/dinc-agent ', `=${BINARY} `));
    const r = spawnSync('systemd-analyze', ['verify', unit], { encoding: 'utf8' });
    expect(r.stderr.split('\n').filter((line) => line.includes('dinc-agent'))).toEqual([]);
    expect(r.status).toBe(0);
  });
});
