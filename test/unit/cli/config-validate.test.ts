import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../../src/cli/main.js';
import { fakeIO } from '../../support/fake-io.js';

const dir = mkdtempSync(join(tmpdir(), 'dinc-validate-'));
const OPEN = join(dir, 'open.conf');
writeFileSync(OPEN, '[agent]\nid = node1\nbind_address = 0.0.0.0\nweb = 127.0.0.1:8080\n');

describe('config validate: warnings, and --strict', () => {
  it('plain validate reports a listener beyond loopback without authentication as a warning and exits 0', async () => {
    const io = fakeIO();
    expect(await main(['config', 'validate', OPEN], io)).toBe(0);
    expect(io.out()).toBe(`${OPEN}: valid (agent node1, cluster dinc, 0 seeds); 1 warning, which --strict refuses\n`);
    expect(io.err()).toBe(`warning: ${OPEN}:3: gossip on 0.0.0.0:7946 is not authenticated (no [cluster] encrypt_key): anyone who can send it a packet can forge membership\n`);
  });

  it('--strict fails on that warning with exit 2', async () => {
    const io = fakeIO();
    expect(await main(['config', 'validate', '--strict', OPEN], io)).toBe(2);
    expect(io.out()).toBe('');
    expect(io.err()).toBe(
      `${OPEN}:3: gossip on 0.0.0.0:7946 is not authenticated (no [cluster] encrypt_key): anyone who can send it a packet can forge membership\n` +
        'dinc-agent: invalid configuration: 1 problem (DINC_CONFIG_INVALID)\n',
    );
  });

  it('--strict passes a file without warnings', async () => {
    const io = fakeIO();
    expect(await main(['config', 'validate', '--strict', OPEN, '--bind-address', '127.0.0.1'], io)).toBe(0);
    expect(io.err()).toBe('');
  });
});
