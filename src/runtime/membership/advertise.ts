/** The address other agents use to reach this one. */
import { networkInterfaces } from 'node:os';

/**
 * `configured` when set; else the bind address when it is a specific one;
 * else the first non-internal IPv4 address of the host (IPv6 for `::` when
 * there is no IPv4), else the loopback address.
 */
export function advertiseAddress(bind: string, configured: string): string {
  if (configured !== '') return configured;
  if (bind !== '0.0.0.0' && bind !== '::') return bind;
  const addresses = Object.values(networkInterfaces()).flatMap((list) => list ?? []).filter((a) => !a.internal);
  const v4 = addresses.find((a) => a.family === 'IPv4');
  const v6 = addresses.find((a) => a.family === 'IPv6' && !a.address.startsWith('fe80'));
  return v4?.address ?? (bind === '::' ? v6?.address : undefined) ?? (bind === '::' ? '::1' : '127.0.0.1');
}
