/**
 * The Raft transport's handshake messages and frame authentication: pure
 * functions of bytes, no sockets (the connections drive them).
 *
 * Handshake messages are `u16 BE length | body`. After RAFT_MAGIC the client
 * sends a hello `version u8 | auth u8 (0 none, 1 HMAC-SHA256) | from (u8 length,
 * UTF-8) | to (u8 length, UTF-8) | client nonce (32)`. The server answers
 * `status u8 | version u8`, then, when the status is ok, `server nonce (32)`
 * and, with a secret, `server proof (32)`. With a secret the client then
 * sends `client proof (32)`. Over the transcript T = hello body | server nonce:
 *
 *   server proof = HMAC-SHA256(secret, "dinc-raft server proof\0" | T)
 *   client proof = HMAC-SHA256(secret, "dinc-raft client proof\0" | T)
 *   session key  = HMAC-SHA256(secret, "dinc-raft session key\0"  | T)
 *
 * Each frame's MAC is the first 16 bytes of HMAC-SHA256(session key,
 * frame number u64 BE | length u32 BE | payload), frames numbered from 0 on
 * each connection: a frame replayed, reordered or moved to another
 * connection (other nonces, other key) fails.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** Version of the handshake and frame layout; the hello carries it. */
export const TRANSPORT_VERSION = 1;
export const NONCE_BYTES = 32;
export const PROOF_BYTES = 32;
/** Bytes of a frame's MAC, when a secret is set. */
export const MAC_BYTES = 16;
/** Largest handshake message body accepted. */
export const MAX_HANDSHAKE_BYTES = 1024;
const MAX_ID_BYTES = 255;

/** The server's answer to a hello; on the wire: append only. */
export const HelloStatus = {
  Ok: 0,
  /** The server does not speak the hello's version; it answers with its own. */
  Version: 1,
  /** The hello's `to` is not the server's member id. */
  NotThisMember: 2,
  /** One side has a secret and the other not. */
  AuthMismatch: 3,
  /** The hello could not be parsed. */
  Malformed: 4,
} as const;
export type HelloStatus = (typeof HelloStatus)[keyof typeof HelloStatus];

const LABEL_SERVER = Buffer.from('dinc-raft server proof\0');
const LABEL_CLIENT = Buffer.from('dinc-raft client proof\0');
const LABEL_SESSION = Buffer.from('dinc-raft session key\0');
const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

export interface Hello {
  readonly version: number;
  readonly auth: boolean;
  readonly from: string;
  readonly to: string;
  readonly nonce: Buffer;
  /** The body as sent: the start of the transcript. */
  readonly body: Buffer;
}

export interface Challenge {
  /** A HelloStatus (a newer server may send one this version does not know). */
  readonly status: number;
  readonly version: number;
  /** Present when status is Ok. */
  readonly nonce?: Buffer;
  /** Present when status is Ok and the server has a secret. */
  readonly proof?: Buffer;
}

/** Prefixes a handshake body with its u16 length. */
function message(body: Buffer): Buffer {
  const out = Buffer.allocUnsafe(2 + body.length);
  out.writeUInt16BE(body.length, 0);
  body.copy(out, 2);
  return out;
}

function id(s: string, field: string): Buffer {
  const b = Buffer.from(s, 'utf8');
  if (b.length < 1 || b.length > MAX_ID_BYTES) throw new RangeError(`raft transport: ${field} must be 1..${MAX_ID_BYTES} bytes of UTF-8`);
  return b;
}

/** A hello from `from` to `to` with a fresh nonce: the body (transcript start) and the bytes to send. Throws RangeError for an id the wire cannot carry. */
export function createHello(from: string, to: string, auth: boolean): { readonly body: Buffer; readonly wire: Buffer } {
  const f = id(from, 'from');
  const t = id(to, 'to');
  const body = Buffer.concat([Buffer.of(TRANSPORT_VERSION, auth ? 1 : 0, f.length), f, Buffer.of(t.length), t, randomBytes(NONCE_BYTES)]);
  return { body, wire: message(body) };
}

/** What the server makes of a hello body: the hello, a version it does not speak, or a string naming what is wrong. */
export type ParsedHello = Hello | { readonly unsupportedVersion: number } | string;

export function parseHello(body: Buffer): ParsedHello {
  if (body.length < 2) return 'hello shorter than 2 bytes';
  const version = body[0] as number;
  if (version !== TRANSPORT_VERSION) return { unsupportedVersion: version };
  const authByte = body[1] as number;
  if (authByte > 1) return `hello auth ${authByte} is not 0 or 1`;
  let at = 2;
  const str = (field: string): string => {
    const n = body[at];
    if (n === undefined || n < 1 || at + 1 + n > body.length) throw new RangeError(`hello ${field} length out of bounds at byte ${at}`);
    const s = UTF8.decode(body.subarray(at + 1, at + 1 + n));
    at += 1 + n;
    return s;
  };
  try {
    const from = str('from');
    const to = str('to');
    if (body.length - at !== NONCE_BYTES) return `hello has ${body.length - at} nonce bytes, not ${NONCE_BYTES}`;
    return { version, auth: authByte === 1, from, to, nonce: body.subarray(at), body };
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
}

/** The server's answer: a refusal (status and our version), or Ok with its nonce and, with a secret, its proof. */
export function encodeChallenge(status: HelloStatus, nonce?: Buffer, proof?: Buffer): Buffer {
  const parts: Buffer[] = [Buffer.of(status, TRANSPORT_VERSION)];
  if (status === HelloStatus.Ok && nonce) parts.push(nonce);
  if (status === HelloStatus.Ok && proof) parts.push(proof);
  return message(Buffer.concat(parts));
}

/** Parses the server's answer (its proof is absent when the server has no secret); a string names what is wrong. */
export function parseChallenge(body: Buffer): Challenge | string {
  if (body.length < 2) return 'answer shorter than 2 bytes';
  const status = body[0] as number;
  const version = body[1] as number;
  if (status !== HelloStatus.Ok) return body.length === 2 ? { status, version } : `refusal of ${body.length} bytes, not 2`;
  if (body.length === 2 + NONCE_BYTES) return { status, version, nonce: body.subarray(2) };
  if (body.length === 2 + NONCE_BYTES + PROOF_BYTES) return { status, version, nonce: body.subarray(2, 2 + NONCE_BYTES), proof: body.subarray(2 + NONCE_BYTES) };
  return `answer of ${body.length} bytes, not ${2 + NONCE_BYTES} or ${2 + NONCE_BYTES + PROOF_BYTES}`;
}

export function newNonce(): Buffer {
  return randomBytes(NONCE_BYTES);
}

/** The client's proof message: u16 length and the proof. */
export function encodeProof(proof: Buffer): Buffer {
  return message(proof);
}

function keyed(secret: Uint8Array, label: Buffer, helloBody: Buffer, serverNonce: Buffer): Buffer {
  return createHmac('sha256', secret).update(label).update(helloBody).update(serverNonce).digest();
}

/** The three secrets of one connection, all bound to its transcript. */
export function deriveKeys(secret: Uint8Array, helloBody: Buffer, serverNonce: Buffer): { readonly server: Buffer; readonly client: Buffer; readonly session: Buffer } {
  return {
    server: keyed(secret, LABEL_SERVER, helloBody, serverNonce),
    client: keyed(secret, LABEL_CLIENT, helloBody, serverNonce),
    session: keyed(secret, LABEL_SESSION, helloBody, serverNonce),
  };
}

/** Compares two proofs or MACs in constant time; false when lengths differ. */
export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

/** MACs of one direction of one connection, numbering its frames from 0. */
export class FrameMac {
  private frame = 0;

  constructor(private readonly key: Buffer) {}

  /** The MAC of the next frame (its 4-byte length header and payload); advances the frame number. */
  next(header: Uint8Array, payload: Uint8Array): Buffer {
    const n = Buffer.allocUnsafe(8);
    n.writeUInt32BE(Math.floor(this.frame / 2 ** 32), 0);
    n.writeUInt32BE(this.frame % 2 ** 32, 4);
    this.frame++;
    return createHmac('sha256', this.key).update(n).update(header).update(payload).digest().subarray(0, MAC_BYTES);
  }
}
