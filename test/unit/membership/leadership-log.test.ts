import { describe, expect, it } from 'vitest';
import type { Member } from '../../../src/core/membership/types.js';
import { EMPTY_META } from '../../../src/core/membership/types.js';
import { EventLog } from '../../../src/ops/event-log.js';
import { Leadership } from '../../../src/runtime/membership/leadership.js';
import { memoryLogger } from '../../support/memory-log.js';

const m = (id: string): Member => ({ id, addr: { host: '127.0.0.1', port: 7946 }, incarnation: 0, state: 'alive', meta: EMPTY_META, stateChangedAt: 0 });

describe('the leader log line', () => {
  it('a lone agent that leads says so about itself instead of "following" itself', () => {
    const { log, records } = memoryLogger();
    const leadership = new Leadership('node001', log, new EventLog(), 0, true, 0);
    leadership.update([m('node001')], 1);
    expect(records.map((r) => r.msg)).toEqual(['This agent (node001) is now the leader']);
  });

  it('an agent that another leads says it follows that leader', () => {
    const { log, records } = memoryLogger();
    const leadership = new Leadership('node002', log, new EventLog(), 0, true, 0);
    leadership.update([m('node001'), m('node002')], 1);
    expect(records.map((r) => r.msg)).toEqual(['Following new leader: node001']);
  });
});
