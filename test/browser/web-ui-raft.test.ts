import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page, WebSocketRoute } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { RaftRoleStatus, StatusSnapshot } from '../../src/ops/snapshot.js';
import { ROOT, killAgents, spawnAgent } from '../support/agent-process.js';
import { launchChromium } from '../support/chromium.js';
import { freePortBase } from '../support/ports.js';
import { hasTool } from '../support/prerequisite.js';

const ARTEFACTS = join(ROOT, 'test-results');
const WAIT_MS = 15_000;
const read = <T>(name: string): T => JSON.parse(readFileSync(join(ROOT, 'test', 'fixtures', name), 'utf8')) as T;
const base = read<StatusSnapshot>('status-snapshot.json');
const slot = read<RaftRoleStatus>('raft-slot.json');
/** The served snapshot: the fixture with a raft slot, dated now so that relative times read sensibly. */
const served = (raft: unknown): StatusSnapshot => ({ ...base, time: new Date().toISOString(), roles: { ...base.roles, raft } });

const raftRow = (id: string): string => `tr[data-raft-member="${id}"]`;
const cell = (id: string, label: string): string => `${raftRow(id)} [data-label="${label}"]`;

describe.skipIf(!hasTool('chromium', 'apt-get install chromium'))('the Raft panel of the web UI, in headless Chromium', () => {
  let pageUrl = '';
  let browser: Browser | undefined;
  const pages: Page[] = [];
  const problems: string[] = [];

  const open = async (viewport = { width: 1280, height: 800 }, route?: (ws: WebSocketRoute) => void): Promise<Page> => {
    if (browser === undefined) throw new Error('the browser did not start');
    const page = await browser.newPage({ viewport });
    pages.push(page);
    page.on('pageerror', (e) => problems.push(e.message));
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(m.text());
    });
    if (route) await page.routeWebSocket(/\/v1\/stream$/, route);
    await page.goto(pageUrl);
    return page;
  };

  /** A page whose `/v1/stream` is this test's: it sends `snapshot` first; the returned function sends more. */
  const openServed = async (snapshot: StatusSnapshot, viewport?: { width: number; height: number }): Promise<{ page: Page; send: (message: unknown) => void }> => {
    let socket: WebSocketRoute | undefined;
    const page = await open(viewport, (ws) => {
      socket = ws;
      ws.send(JSON.stringify({ type: 'snapshot', snapshot }));
    });
    await expect.poll(() => page.locator('#connection').textContent(), { timeout: WAIT_MS }).toBe('Live');
    return { page, send: (message) => socket?.send(JSON.stringify(message)) };
  };

  beforeAll(async () => {
    // One agent with the raft role: a group of one (bootstrap_expect defaults to 1), led by itself.
    const dir = mkdtempSync(join(tmpdir(), 'dinc-web-ui-raft-'));
    const ports = await freePortBase(3);
    const conf = join(dir, 'node001.conf');
    writeFileSync(
      conf,
      `[agent]\nid = node001\nbind_address = 127.0.0.1\nport = ${ports + 1}\nweb = 127.0.0.1:${ports + 2}\ndata_dir = ${join(dir, 'data')}\nroles =\n` +
        `[gossip]\nprofile = local\n[cluster]\nname = web-ui-raft\nmulticast_group = off\n[raft]\nlisten = 127.0.0.1:${ports + 3}\n`,
    );
    const agent = await spawnAgent(['raft', '--config', conf]);
    await agent.waitFor((r) => r.msg.endsWith(' running'));
    pageUrl = `http://127.0.0.1:${ports + 2}/`;
    browser = await launchChromium();
  });

  afterEach(async () => {
    await Promise.all(pages.splice(0).map((p) => p.close()));
    expect(problems.splice(0)).toEqual([]);
  });

  afterAll(async () => {
    await browser?.close();
    killAgents();
  });

  it('shows a real raft agent leading its group of one, with no lag', async () => {
    const page = await open();
    await expect.poll(() => page.locator('#raft-state').textContent(), { timeout: WAIT_MS }).toBe('leader');
    expect(await page.locator('#raft').isVisible()).toBe(true);
    expect(await page.locator('#raft-leader').textContent()).toBe('node001');
    expect(Number(await page.locator('#raft-term').textContent())).toBeGreaterThanOrEqual(1);
    expect(Number(await page.locator('#raft-commit').textContent())).toBeGreaterThanOrEqual(1);
    expect(await page.locator('#raft-failure').isVisible()).toBe(false);
    expect(await page.locator('#raft-members tr').count()).toBe(1);
    expect(await page.locator(raftRow('node001')).getAttribute('data-state')).toBe('leader');
    expect(await page.locator(cell('node001', 'Voter')).textContent()).toBe('yes');
    expect(await page.locator(cell('node001', 'Address')).textContent()).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(await page.locator(cell('node001', 'Match')).textContent()).toMatch(/^\d+$/);
    expect(await page.locator(cell('node001', 'Lag')).textContent()).toBe('0');
  });

  it('lists every member of a served snapshot with its lag, flags a large one, and hides the panel when the slot goes or cannot be read', async () => {
    const { page, send } = await openServed(served(slot));
    await page.locator(raftRow('node003')).waitFor({ timeout: WAIT_MS });
    const ids = await Promise.all((await page.locator('#raft-members tr').all()).map((tr) => tr.getAttribute('data-raft-member')));
    expect(ids).toEqual(slot.members.map((m) => m.id));
    expect(await page.locator('#raft-state').textContent()).toBe('leader');
    expect(await page.locator('#raft-term').textContent()).toBe('7');
    expect(await page.locator('#raft-commit').textContent()).toBe('48213');
    expect(await page.locator('#raft-snapshot').textContent()).toBe('40960');
    expect(await page.locator('#raft-keys').textContent()).toBe('1234');
    expect(await page.locator(cell('node003', 'Lag')).textContent()).toBe('3113');
    expect(await page.locator(`${cell('node003', 'Lag')} .lag`).getAttribute('data-large')).toBe('true');
    expect(await page.locator(cell('node002', 'Lag')).textContent()).toBe('2');
    expect(await page.locator(`${cell('node002', 'Lag')} .lag`).getAttribute('data-large')).toBe('false');
    expect(await page.locator(cell('node006', 'Match')).textContent()).toBe('—');
    expect(await page.locator(cell('node006', 'Address')).textContent()).toBe('—');
    expect(await page.locator(cell('node006', 'Voter')).textContent()).toBe('no');
    await page.screenshot({ path: join(ARTEFACTS, 'web-ui-raft.png'), fullPage: true });

    const patch = (roles: Record<string, unknown>) => ({ type: 'patch', patch: { set: { time: new Date().toISOString(), roles }, upsert: [], remove: [], events: [] } });
    send(patch({ ...base.roles, raft: { ...slot, state: 'failed', storage_failure: 'EIO: i/o error, fsync' } }));
    await expect.poll(() => page.locator('#raft-failure').textContent()).toBe('Storage failed: EIO: i/o error, fsync');
    expect(await page.locator('#raft-state').textContent()).toBe('failed');
    send(patch(base.roles));
    await expect.poll(() => page.locator('#raft').isVisible()).toBe(false);
    send(patch({ ...base.roles, raft: slot }));
    await expect.poll(() => page.locator('#raft').isVisible()).toBe(true);
    send(patch({ ...base.roles, raft: { ...slot, members: [{ id: 'node001', state: 'emperor' }] } }));
    await expect.poll(() => page.locator('#raft').isVisible()).toBe(false);
  });

  it('fits a phone screen: the Raft members become cards and nothing overflows sideways', async () => {
    const { page } = await openServed(served(slot), { width: 375, height: 740 });
    await page.locator(raftRow('worker-eu-west-1a-compute-internal-0042')).waitFor({ timeout: WAIT_MS });
    expect(await page.locator('.raft-members thead').isVisible()).toBe(false);
    expect(await page.locator(cell('node003', 'Lag')).isVisible()).toBe(true);
    const scrollWidth = await page.evaluate<number>('document.scrollingElement.scrollWidth');
    expect(scrollWidth).toBeLessThanOrEqual(await page.evaluate<number>('window.innerWidth'));
    await page.screenshot({ path: join(ARTEFACTS, 'web-ui-raft-phone.png'), fullPage: true });
  });
});
