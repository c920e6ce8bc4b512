/**
 * Caps on the connections one listener holds open, in all and per remote
 * address, so that no client (nor a flood from one address) can use up the
 * agent's file descriptors. A connection over a cap is closed before any of
 * its bytes is read, and counted.
 */
import type { Socket } from 'node:net';
import type { ConnectionRefusal } from './listener-stats.js';

export interface ConnectionCaps {
  /** Open connections one listener holds, Raft transport connections included. */
  readonly perListener: number;
  /** Open connections from one remote address. */
  readonly perAddress: number;
}

/**
 * 4096 per listener keeps two listeners well below the descriptors a
 * process has (Node raises its soft limit to the hard one, 524288 under
 * systemd) while far above what a cluster needs; 256 per address is more
 * than one host's clients, proxies included, hold at once.
 */
export const DEFAULT_CONNECTION_CAPS: ConnectionCaps = { perListener: 4096, perAddress: 256 };

export class ConnectionLimiter {
  private open = 0;
  private readonly byAddress = new Map<string, number>();

  constructor(
    private readonly caps: ConnectionCaps,
    private readonly onRefused: (reason: ConnectionRefusal) => void,
  ) {}

  /** Counts `socket` until it closes and returns true; over a cap, destroys it, counts the refusal and returns false. */
  admit(socket: Socket): boolean {
    const address = socket.remoteAddress ?? '?';
    const fromAddress = this.byAddress.get(address) ?? 0;
    const refusal: ConnectionRefusal | undefined = this.open >= this.caps.perListener ? 'listener-full' : fromAddress >= this.caps.perAddress ? 'address-full' : undefined;
    if (refusal !== undefined) {
      this.onRefused(refusal);
      socket.on('error', () => undefined);
      socket.destroy();
      return false;
    }
    this.open++;
    this.byAddress.set(address, fromAddress + 1);
    socket.once('close', () => {
      this.open--;
      const n = (this.byAddress.get(address) ?? 1) - 1;
      if (n <= 0) this.byAddress.delete(address);
      else this.byAddress.set(address, n);
    });
    return true;
  }

  /** Connections open now. */
  get size(): number {
    return this.open;
  }
}
