import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, killAgents, spawnAgent, type AgentProcess } from '../support/agent-process.js';
import { launchChromium } from '../support/chromium.js';
import { eventually } from '../support/eventually.js';
import { freePortBase } from '../support/ports.js';
import { hasTool } from '../support/prerequisite.js';

const ARTEFACTS = join(ROOT, 'test-results');
/** Long enough for SWIM (profile local) to take a killed agent from suspect to dead. */
const CLUSTER_WAIT_MS = 30_000;

const id = (i: number): string => `node00${i}`;

/** Three agents on 127.0.0.1 that know each other from `[nodes]`: gossip on base+i, web on base+10+i. */
class LocalCluster {
  readonly agents = new Map<number, AgentProcess>();
  private constructor(
    private readonly dir: string,
    private readonly base: number,
  ) {}

  static async create(): Promise<LocalCluster> {
    return new LocalCluster(mkdtempSync(join(tmpdir(), 'dinc-web-ui-')), await freePortBase(20));
  }

  page(i: number): string {
    return `http://127.0.0.1:${this.base + 10 + i}/`;
  }

  /** Starts (or restarts) agent i and resolves once it runs. */
  async start(i: number): Promise<void> {
    const nodes = [1, 2, 3].map((n) => `${id(n)} = "127.0.0.1:${this.base + n}"`).join('\n');
    const conf = join(this.dir, `${id(i)}.conf`);
    writeFileSync(
      conf,
      // node001's web listener is open beyond loopback without a token: its page warns about it.
      `[agent]\nid = ${id(i)}\nbind_address = 127.0.0.1\nport = ${this.base + i}\nweb = ${i === 1 ? '0.0.0.0' : '127.0.0.1'}:${this.base + 10 + i}\ndata_dir = ${join(this.dir, id(i))}\n` +
        `[gossip]\nprofile = local\n[cluster]\nname = web-ui-test\nmulticast_group = off\nexpect = 3\n[nodes]\n${nodes}\n`,
    );
    const agent = await spawnAgent(['start', '--config', conf, '--port', String(this.base + i)]);
    this.agents.set(i, agent);
    await agent.waitFor((r) => r.msg.endsWith(' running'));
  }

  kill(i: number): void {
    this.agents.get(i)?.child.kill('SIGKILL');
  }
}

const row = (member: string, state?: string): string => `tr[data-member="${member}"]${state ? `[data-state="${state}"]` : ''}`;

/** Waits until the page lists all three agents alive. */
async function allAlive(page: Page): Promise<void> {
  for (let i = 1; i <= 3; i++) await page.locator(row(id(i), 'alive')).waitFor({ timeout: CLUSTER_WAIT_MS });
}

describe.skipIf(!hasTool('chromium', 'apt-get install chromium'))('the web UI, in headless Chromium against three real agents', () => {
  let cluster: LocalCluster;
  let browser: Browser | undefined;
  const pages: Page[] = [];

  const open = async (i: number, viewport = { width: 1280, height: 800 }): Promise<Page> => {
    if (browser === undefined) throw new Error('the browser did not start');
    const page = await browser.newPage({ viewport });
    pages.push(page);
    await page.goto(cluster.page(i));
    return page;
  };

  beforeAll(async () => {
    mkdirSync(ARTEFACTS, { recursive: true });
    cluster = await LocalCluster.create();
    for (let i = 1; i <= 3; i++) await cluster.start(i);
    browser = await launchChromium();
  });

  afterEach(async () => {
    await Promise.all(pages.splice(0).map((p) => p.close()));
  });

  afterAll(async () => {
    await browser?.close();
    killAgents();
  });

  it('lists the three agents alive with a leader badge and quorum, then shows a killed agent suspect and dead without a reload', { timeout: 90_000 }, async () => {
    const page = await open(1);
    const problems: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(m.text());
    });
    page.on('pageerror', (e) => problems.push(e.message));

    await allAlive(page);
    await expect.poll(() => page.locator('#connection').textContent()).toBe('Live');
    expect(await page.locator('#cluster-name').textContent()).toBe('web-ui-test');
    expect(await page.locator(`${row('node001')} .badge-leader`).textContent()).toBe('leader');
    expect(await page.locator('.badge-leader').count()).toBe(1);
    expect(await page.locator(`${row('node001')} .badge-self`).count()).toBe(1);
    await expect.poll(() => page.locator('#quorum').textContent()).toBe('reached');
    expect(await page.locator('#quorum-detail').textContent()).toBe('sees 3, needs 2');
    expect(await page.locator('#leader').textContent()).toBe('node001');
    expect(await page.locator('#warnings li').allTextContents()).toEqual([expect.stringMatching(/^the HTTP API on 0\.0\.0\.0:\d+ takes changes without a token/)]);
    // No agent runs the raft role here: no Raft panel.
    expect(await page.locator('#raft').isVisible()).toBe(false);
    await expect.poll(() => page.locator(`${row('node002')} td[data-label="Last seen"]`).textContent()).toMatch(/^(just now|\d+s ago)$/);
    await expect.poll(() => page.locator(`${row('node001')} td[data-label="CPU"]`).textContent(), { timeout: CLUSTER_WAIT_MS }).toMatch(/^\d+(\.\d)? %$/);
    await expect.poll(() => page.locator(`${row('node001')} td[data-label="CPU"] path`).getAttribute('d'), { timeout: CLUSTER_WAIT_MS }).toMatch(/^M/);

    let navigations = 0;
    page.on('framenavigated', () => navigations++);
    cluster.kill(3);
    await page.locator(row('node003', 'dead')).waitFor({ timeout: CLUSTER_WAIT_MS });

    expect(navigations).toBe(0);
    const types: (string | null)[] = [];
    for (const item of await page.locator('#events li').all()) {
      if ((await item.locator('.message').textContent())?.includes('node003')) types.push(await item.getAttribute('data-type'));
    }
    // Newest first: the suspicion came before the death.
    expect(types).toContain('suspect');
    expect(types.indexOf('dead')).toBeGreaterThanOrEqual(0);
    expect(types.indexOf('dead')).toBeLessThan(types.lastIndexOf('suspect'));
    expect(await page.locator('#member-count').textContent()).toBe('2 of 3 alive');
    await page.screenshot({ path: join(ARTEFACTS, 'web-ui.png'), fullPage: true });
    expect(problems).toEqual([]);
  });

  it('fits a phone screen: members become cards and nothing overflows sideways', async () => {
    const page = await open(1, { width: 375, height: 740 });
    await page.locator(row('node001', 'alive')).waitFor({ timeout: CLUSTER_WAIT_MS });
    await page.locator(row('node002', 'alive')).waitFor({ timeout: CLUSTER_WAIT_MS });
    expect(await page.locator('.members thead').isVisible()).toBe(false);
    const scrollWidth = await page.evaluate<number>('document.scrollingElement.scrollWidth');
    const innerWidth = await page.evaluate<number>('window.innerWidth');
    expect(innerWidth).toBe(375);
    expect(scrollWidth).toBeLessThanOrEqual(innerWidth);
    await page.screenshot({ path: join(ARTEFACTS, 'web-ui-phone.png'), fullPage: true });
  });

  it('falls back to the SSE feed when the WebSocket fails', async () => {
    if (browser === undefined) throw new Error('the browser did not start');
    const page = await browser.newPage();
    pages.push(page);
    await page.routeWebSocket(/\/v1\/stream$/, (socket) => socket.close());
    await page.goto(cluster.page(2));
    await expect.poll(() => page.locator('#connection').textContent(), { timeout: CLUSTER_WAIT_MS }).toBe('Live (basic SSE feed)');
    await page.locator(row('node001', 'alive')).waitFor({ timeout: CLUSTER_WAIT_MS });
    expect(await page.locator(`${row('node001')} .badge-leader`).count()).toBe(1);
    expect(await page.locator(`${row('node002')} .badge-self`).count()).toBe(1);
    expect(await page.locator('#quorum').textContent()).toBe('reached');
  });

  it('says "disconnected, retrying" while its agent is down, and goes live again when it is back', { timeout: 90_000 }, async () => {
    const page = await open(2);
    await page.locator(row('node002', 'alive')).waitFor({ timeout: CLUSTER_WAIT_MS });
    // node002 listens on loopback only: nothing to warn about.
    expect(await page.locator('#warnings').isVisible()).toBe(false);
    cluster.kill(2);
    await eventually(async () => expect(await page.locator('#connection').textContent()).toMatch(/^Disconnected, retrying (in \d+s|now)$/));
    expect(await page.locator('body').getAttribute('data-connection')).toBe('disconnected');

    await cluster.start(2);
    await expect.poll(() => page.locator('#connection').textContent(), { timeout: CLUSTER_WAIT_MS }).toBe('Live');
    await page.locator(row('node002', 'alive')).waitFor({ timeout: CLUSTER_WAIT_MS });
  });
});
