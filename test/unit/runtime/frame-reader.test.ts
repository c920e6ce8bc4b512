import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ByteQueue, FrameReader, type FrameSpec } from '../../../src/runtime/frame-reader.js';

/** `data` pushed in pieces of the given sizes, cycling. */
function pushSplit(push: (chunk: Buffer) => void, data: Uint8Array, cuts: readonly number[]): void {
  let at = 0;
  for (let i = 0; at < data.length; i++) {
    const n = cuts[i % cuts.length] as number;
    push(Buffer.from(data.subarray(at, at + n)));
    at += n;
  }
}

function frame(prefixBytes: 2 | 4, payload: Uint8Array, trailer = new Uint8Array(0)): Buffer {
  const head = Buffer.alloc(prefixBytes);
  if (prefixBytes === 2) head.writeUInt16BE(payload.length);
  else head.writeUInt32BE(payload.length);
  return Buffer.concat([head, payload, trailer]);
}

const cutsArb = fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1 });

describe('FrameReader', () => {
  it('hands out the same frames, in order, however the stream was split', () => {
    fc.assert(
      fc.property(fc.constantFrom<2 | 4>(2, 4), fc.nat({ max: 8 }), fc.array(fc.uint8Array({ maxLength: 100 }), { maxLength: 6 }), cutsArb, (prefixBytes, trailerBytes, payloads, cuts) => {
        const spec: FrameSpec = { prefixBytes, maxBytes: 100, trailerBytes };
        const stream = Buffer.concat(payloads.map((p) => frame(prefixBytes, p, new Uint8Array(trailerBytes).fill(0xee))));
        const reader = new FrameReader();
        const got: Buffer[] = [];
        pushSplit(
          (chunk) => {
            reader.push(chunk);
            for (let f = reader.next(spec); f !== undefined; f = reader.next(spec)) {
              if ('refused' in f) throw new Error(`refused ${f.refused}`);
              expect([f.header.length, f.trailer.length]).toEqual([prefixBytes, trailerBytes]);
              got.push(Buffer.from(f.payload));
            }
          },
          stream,
          cuts,
        );
        expect(got).toEqual(payloads.map((p) => Buffer.from(p)));
        expect(reader.length).toBe(0);
      }),
    );
  });

  it('refuses a length outside min..max as soon as the prefix is in, consuming nothing', () => {
    const reader = new FrameReader();
    reader.push(Buffer.of(0x00));
    expect(reader.next({ prefixBytes: 2, maxBytes: 10 })).toBeUndefined();
    reader.push(Buffer.of(0x0b));
    expect(reader.next({ prefixBytes: 2, maxBytes: 10 })).toEqual({ refused: 11 });
    expect(reader.length).toBe(2);
    const empty = new FrameReader();
    empty.push(Buffer.alloc(4));
    expect(empty.next({ prefixBytes: 4, minBytes: 1, maxBytes: 10 })).toEqual({ refused: 0 });
    expect(empty.next({ prefixBytes: 4, maxBytes: 10 })).toEqual({ header: Buffer.alloc(4), payload: Buffer.alloc(0), trailer: Buffer.alloc(0) });
  });

  it('waits for the trailer before taking a frame', () => {
    const reader = new FrameReader();
    reader.push(frame(4, Uint8Array.of(1, 2), Uint8Array.of(9)));
    expect(reader.next({ prefixBytes: 4, maxBytes: 10, trailerBytes: 2 })).toBeUndefined();
    reader.push(Buffer.of(8));
    expect(reader.next({ prefixBytes: 4, maxBytes: 10, trailerBytes: 2 })).toMatchObject({ payload: Buffer.of(1, 2), trailer: Buffer.of(9, 8) });
  });

  it('random bytes, randomly split, give frames, refusals or a wait, and never throw', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), cutsArb, fc.constantFrom<2 | 4>(2, 4), fc.nat({ max: 4 }), (data, cuts, prefixBytes, trailerBytes) => {
        const spec: FrameSpec = { prefixBytes, minBytes: 1, maxBytes: 64, trailerBytes };
        const reader = new FrameReader();
        let taken = 0;
        let refused = false;
        pushSplit(
          (chunk) => {
            reader.push(chunk);
            for (let f = reader.next(spec); f !== undefined && !refused; f = reader.next(spec)) {
              if ('refused' in f) {
                expect(f.refused === 0 || f.refused > 64).toBe(true);
                refused = true;
              } else {
                expect(f.payload.length).toBe(f.header.readUIntBE(0, prefixBytes));
                taken += f.header.length + f.payload.length + f.trailer.length;
              }
            }
          },
          data,
          cuts,
        );
        expect(taken + reader.length).toBe(data.length);
      }),
    );
  });
});

describe('ByteQueue', () => {
  it('hands out the same bytes however the stream was split', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 300 }), fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1 }), fc.array(fc.integer({ min: 1, max: 50 })), (data, cuts, reads) => {
        const q = new ByteQueue();
        let at = 0;
        for (let i = 0; at < data.length; i++) {
          const n = cuts[i % cuts.length] as number;
          q.push(Buffer.from(data.subarray(at, at + n)));
          at += n;
        }
        expect(q.length).toBe(data.length);
        const out: Buffer[] = [];
        let left = data.length;
        for (const n of reads) {
          if (n > left) break;
          if (n >= 2) expect(q.peekUInt(2)).toBe(Buffer.from(data).readUInt16BE(data.length - left));
          out.push(Buffer.from(q.read(n)));
          left -= n;
        }
        out.push(q.read(left));
        expect(Buffer.concat(out).equals(Buffer.from(data))).toBe(true);
        expect(q.length).toBe(0);
        expect(q.peekUInt(2)).toBeUndefined();
      }),
    );
  });

  it('reads a u32 spread over four chunks', () => {
    const q = new ByteQueue();
    for (const b of [0x01, 0x02, 0x03, 0x04, 0x05]) q.push(Buffer.of(b));
    expect(q.peekUInt(4)).toBe(0x01020304);
    q.skip(1);
    expect(q.peekUInt(4)).toBe(0x02030405);
  });
});

