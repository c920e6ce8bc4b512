/**
 * A member's log after a crash, on real files: a torn last record (a write
 * cut short, never acknowledged) is cut off with a warning and the member
 * starts with everything acknowledged; a flipped byte before the end makes it
 * refuse to start, naming the file and the byte offset.
 */
import { appendFileSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { killAgents, spawnAgent } from '../support/agent-process.js';
import { LoopbackGroup } from '../support/raft-loopback.js';

afterEach(killAgents);

/** A lone member with `count` acknowledged writes, killed with SIGKILL; its largest WAL segment. */
async function crashedMember(count: number): Promise<{ group: LoopbackGroup; segment: string }> {
  const group = await LoopbackGroup.create(1);
  await group.start();
  await group.leader();
  for (let n = 0; n < count; n++) expect((await group.http('n1', 'PUT', `/v1/kv/w${n}`, `value-${n}`)).status).toBe(200);
  await group.kill('n1');
  const wal = join(group.member('n1').dataDir, 'raft', 'wal');
  const segments = readdirSync(wal).map((f) => join(wal, f));
  const segment = segments.sort((a, b) => statSync(b).size - statSync(a).size)[0] as string;
  return { group, segment };
}

describe('the Raft log after a crash', () => {
  it('a torn last record is cut off with a warning naming file and offset; every acknowledged write is there', async () => {
    const { group, segment } = await crashedMember(20);
    const size = statSync(segment).size;
    // A record header announcing 4000 bytes, followed by only a few: a write the crash cut short.
    const torn = Buffer.alloc(12);
    torn.writeUInt32LE(4000, 0);
    torn.writeUInt32LE(0xdeadbeef, 4);
    appendFileSync(segment, torn);
    await group.start();
    await group.leader();
    const warning = group.member('n1').process?.records.find((r) => r.level === 'warn' && /torn|cut|truncat/i.test(String(r.msg)));
    expect(warning, 'a warning about the torn tail').toBeDefined();
    expect(JSON.stringify(warning)).toContain(segment);
    expect(JSON.stringify(warning)).toContain(String(size));
    for (let n = 0; n < 20; n++) expect((await group.http('n1', 'GET', `/v1/kv/w${n}`)).body.value).toBe(`value-${n}`);
  });

  it('a flipped byte in the middle refuses to start with DINC_WAL_CORRUPT, naming the file and offset', async () => {
    const { group, segment } = await crashedMember(20);
    const bytes = readFileSync(segment);
    const at = Math.floor(bytes.length / 2);
    bytes[at] = (bytes[at] as number) ^ 0xff;
    writeFileSync(segment, bytes);
    const member = group.member('n1');
    const agent = await spawnAgent(['raft', '--config', member.conf]);
    expect(await agent.exited).toBe(1);
    const error = agent.records.find((r) => r.level === 'error');
    expect(error?.code).toBe('DINC_WAL_CORRUPT');
    expect(String(error?.msg)).toContain(segment);
    expect(String(error?.msg)).toMatch(/byte offset \d+/);
  });

  it('a second agent on the same data directory is refused with DINC_DATA_DIR_LOCKED', async () => {
    const group = await LoopbackGroup.create(1);
    await group.start();
    const member = group.member('n1');
    const second = await spawnAgent(['raft', '--config', member.conf, '--raft-listen', '127.0.0.1:0', '--port', String(member.gossipPort + 1000)]);
    expect(await second.exited).toBe(1);
    expect(second.records.find((r) => r.level === 'error')?.code).toBe('DINC_DATA_DIR_LOCKED');
  });
});
