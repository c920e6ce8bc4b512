/**
 * Value types of cluster.conf settings. Each `parse` takes the raw text of a
 * setting and returns the typed value or throws a RangeError whose message
 * completes the sentence "<place>: <key> = <value>: ..." with what is valid.
 * Each `show` writes a value back as the file would spell it.
 */
import { isIP } from 'node:net';
import { formatDuration, parseDuration } from './units.js';

export interface ValueType<T> {
  /** Name shown in docs/configuration.md. */
  readonly name: string;
  parse(raw: string): T;
  show(value: T): string;
}

/** A host and port as `host:port`, `[v6]:port`. */
export interface HostPort {
  readonly host: string;
  readonly port: number;
}

export function string(opts: { pattern?: RegExp; rule?: string; allowEmpty?: boolean } = {}): ValueType<string> {
  return {
    name: 'string',
    parse(raw) {
      if (raw === '' && opts.allowEmpty !== false) return raw;
      if (opts.pattern && !opts.pattern.test(raw)) throw new RangeError(`must be ${opts.rule ?? `like ${opts.pattern}`}`);
      return raw;
    },
    show: (v) => v,
  };
}

export function integer(min: number, max: number): ValueType<number> {
  return {
    name: 'integer',
    parse(raw) {
      const n = /^[+-]?\d+$/.test(raw.trim()) ? Number(raw) : Number.NaN;
      if (!Number.isSafeInteger(n) || n < min || n > max) throw new RangeError(`must be a whole number ${min}-${max}`);
      return n;
    },
    show: String,
  };
}

export function port(opts: { allowZero?: boolean } = {}): ValueType<number> {
  const min = opts.allowZero ? 0 : 1;
  return { name: 'port', parse: (raw) => parsePort(raw, min), show: String };
}

function parsePort(raw: string, min: number): number {
  const n = /^\d+$/.test(raw.trim()) ? Number(raw) : Number.NaN;
  if (!(n >= min && n <= 65535)) throw new RangeError(`must be ${min}-65535${min === 0 ? ' (0 picks a free port)' : ''}`);
  return n;
}

export function duration(minMs: number, maxMs: number): ValueType<number> {
  return {
    name: 'duration',
    parse(raw) {
      const ms = parseDuration(raw);
      if (ms < minMs || ms > maxMs) throw new RangeError(`must be ${formatDuration(minMs)}-${formatDuration(maxMs)}`);
      return ms;
    },
    show: formatDuration,
  };
}

export function oneOf<const T extends string>(choices: readonly T[]): ValueType<T> {
  return {
    name: choices.join(' | '),
    parse(raw) {
      const v = raw.trim().toLowerCase();
      if (!(choices as readonly string[]).includes(v)) throw new RangeError(`must be one of ${choices.join(', ')}`);
      return v as T;
    },
    show: (v) => v,
  };
}

/** A comma-separated list of distinct choices; empty means none. */
export function listOf<const T extends string>(choices: () => readonly T[]): ValueType<readonly T[]> {
  return {
    name: 'list',
    parse(raw) {
      const items = raw.split(',').map((s) => s.trim().toLowerCase()).filter((s) => s !== '');
      const allowed = choices() as readonly string[];
      for (const item of items) {
        if (!allowed.includes(item)) {
          const valid = allowed.length > 0 ? `one of ${allowed.join(', ')}` : 'empty: this build has none';
          throw new RangeError(`'${item}' is not available: each item must be ${valid}`);
        }
      }
      const dup = items.find((item, i) => items.indexOf(item) !== i);
      if (dup !== undefined) throw new RangeError(`lists '${dup}' twice`);
      return items as T[];
    },
    show: (v) => v.join(', '),
  };
}

/** An IPv4 or IPv6 address, or empty when the setting allows "not set". */
export function ipAddress(opts: { allowEmpty: boolean }): ValueType<string> {
  return {
    name: 'IP address',
    parse(raw) {
      const v = raw.trim();
      if (v === '' && opts.allowEmpty) return v;
      if (isIP(v) === 0) throw new RangeError('must be an IPv4 or IPv6 address, such as 0.0.0.0 or ::');
      return v;
    },
    show: (v) => v,
  };
}

/** A multicast group address; `off` (the empty string) disables multicast discovery. */
export function multicastGroup(): ValueType<string> {
  return {
    name: 'multicast address | off',
    parse(raw) {
      const v = raw.trim();
      if (v.toLowerCase() === 'off') return '';
      const family = isIP(v);
      const ok =
        (family === 4 && Number(v.split('.')[0]) >= 224 && Number(v.split('.')[0]) <= 239) ||
        (family === 6 && /^ff/i.test(v));
      if (!ok) throw new RangeError('must be a multicast address (224.0.0.0-239.255.255.255 or ff00::/8) or off');
      return v;
    },
    show: (v) => (v === '' ? 'off' : v),
  };
}

/**
 * Parses `host:port` or `[v6]:port`. `defaultPort` fills in a missing port;
 * without one the port is required. `allowZero` admits port 0.
 */
export function parseHostPort(raw: string, opts: { defaultPort?: number; allowZero?: boolean } = {}): HostPort {
  const v = raw.trim();
  const rule = `must be host:port${opts.defaultPort === undefined ? '' : ' or host'}, such as 10.0.0.5:7946 or [::1]:7946`;
  const bracketed = /^\[([^\]]+)\](?::(\d*))?$/.exec(v);
  let host: string;
  let portText: string | undefined;
  if (bracketed) {
    host = bracketed[1] as string;
    portText = bracketed[2];
    if (isIP(host) !== 6) throw new RangeError(rule);
  } else {
    const colon = v.lastIndexOf(':');
    if (colon !== -1 && v.indexOf(':') !== colon) throw new RangeError(`${rule} (put an IPv6 address in brackets)`);
    host = colon === -1 ? v : v.slice(0, colon);
    portText = colon === -1 ? undefined : v.slice(colon + 1);
    if (!/^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$/.test(host) && isIP(host) === 0) throw new RangeError(rule);
  }
  if (portText === undefined) {
    if (opts.defaultPort === undefined) throw new RangeError(rule);
    return { host, port: opts.defaultPort };
  }
  try {
    return { host, port: parsePort(portText, opts.allowZero ? 0 : 1) };
  } catch (e) {
    throw new RangeError(`port ${(e as Error).message}`);
  }
}

export function formatHostPort({ host, port }: HostPort): string {
  return isIP(host) === 6 ? `[${host}]:${port}` : `${host}:${port}`;
}

/**
 * A listen address `host:port`; `:port` (Go's form) means every IPv4 address,
 * and with `allowOff`, `off` disables the listener (null). Without it the
 * value is never null, and its type says so.
 */
export function listenAddress(opts: { allowOff: false }): ValueType<HostPort>;
export function listenAddress(opts: { allowOff: true }): ValueType<HostPort | null>;
export function listenAddress(opts: { allowOff: boolean }): ValueType<HostPort | null> {
  return {
    name: opts.allowOff ? 'host:port | off' : 'host:port',
    parse(raw) {
      const v = raw.trim();
      if (opts.allowOff && v.toLowerCase() === 'off') return null;
      const hp = parseHostPort(v.startsWith(':') ? `0.0.0.0${v}` : v, { allowZero: true });
      if (isIP(hp.host) === 0 && hp.host !== 'localhost') {
        throw new RangeError('must listen on an IP address (or localhost), such as 127.0.0.1:8080 or 0.0.0.0:8080');
      }
      return hp;
    },
    show: (v) => (v === null ? 'off' : formatHostPort(v)),
  };
}

/** A base64 AES-256 key (32 bytes), as `dinc-agent keygen` prints; empty means no encryption. */
export function encryptionKey(): ValueType<string> {
  return {
    name: 'base64 key',
    parse: (raw) => (raw.trim() === '' ? '' : parseKey(raw.trim())),
    show: (v) => v,
  };
}

/** Comma-separated base64 keys: further keys that open packets during a key rotation. */
export function encryptionKeys(): ValueType<readonly string[]> {
  return {
    name: 'list of base64 keys',
    parse: (raw) => raw.split(',').map((k) => k.trim()).filter((k) => k !== '').map(parseKey),
    show: (v) => v.join(', '),
  };
}

function parseKey(v: string): string {
  const bytes = /^[A-Za-z0-9+/]+={0,2}$/.test(v) ? Buffer.from(v, 'base64') : null;
  if (bytes === null || bytes.length !== 32 || bytes.toString('base64') !== v) {
    throw new RangeError('must be 32 bytes in base64 (44 characters); make one with `dinc-agent keygen`');
  }
  return v;
}

export function boolean(): ValueType<boolean> {
  const yes = ['true', 'yes', 'on', '1'];
  const no = ['false', 'no', 'off', '0'];
  return {
    name: 'boolean',
    parse(raw) {
      const v = raw.trim().toLowerCase();
      if (yes.includes(v)) return true;
      if (no.includes(v)) return false;
      throw new RangeError('must be true or false (also yes/no, on/off, 1/0)');
    },
    show: (v) => String(v),
  };
}

/** A Raft peer from `[raft] peers`: `node1=10.0.0.1:5001`. */
export interface RaftPeer extends HostPort {
  readonly id: string;
}

/** Comma-separated `id=host:port` entries with distinct IDs (`pattern`: what an ID may be); empty means none. */
export function peerList(idPattern: RegExp, idRule: string): ValueType<readonly RaftPeer[]> {
  return {
    name: 'list of id=host:port',
    parse(raw) {
      const peers: RaftPeer[] = [];
      for (const item of raw.split(',').map((s) => s.trim()).filter((s) => s !== '')) {
        const eq = item.indexOf('=');
        const id = eq === -1 ? '' : item.slice(0, eq).trim();
        if (eq === -1) throw new RangeError(`'${item}' is not id=host:port, such as node1=10.0.0.1:5001`);
        if (!idPattern.test(id)) throw new RangeError(`'${id}' is not a node ID: ${idRule}`);
        if (peers.some((p) => p.id === id)) throw new RangeError(`lists '${id}' twice`);
        let peer: RaftPeer;
        try {
          peer = { id, ...parseHostPort(item.slice(eq + 1)) };
        } catch (e) {
          throw new RangeError(`${id}: ${(e as Error).message}`);
        }
        const twin = peers.find((p) => p.port === peer.port && p.host.toLowerCase() === peer.host.toLowerCase());
        if (twin) throw new RangeError(`'${twin.id}' and '${id}' have the same address ${formatHostPort(peer)}: each member needs its own`);
        peers.push(peer);
      }
      return peers;
    },
    show: (v) => v.map((p) => `${p.id}=${formatHostPort(p)}`).join(', '),
  };
}
