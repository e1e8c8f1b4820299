import type { AddressInfo } from 'node:net';
import type { ServiceRuntime } from './runtime.js';

/**
 * What every server adapter of the platform shares (HTTP today, gRPC next): how a bound address
 * becomes the URL a client uses, and the one `listening` line tools wait for. A server adapter
 * registers its own stop step on the runtime's lifecycle, so shutdown stops intake first.
 */

/** The URL a local client reaches a server at: a wildcard bind address is reached over loopback. */
export function serverUrl(
  scheme: string,
  address: AddressInfo | string | null,
  host: string,
  port: number,
): string {
  const bound = typeof address === 'object' && address !== null ? address.port : port;
  const reach = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  return `${scheme}://${reach.includes(':') ? `[${reach}]` : reach}:${bound}`;
}

/**
 * Logs `{"event":"listening","url":...}` plus `fields`, at any level short of silent: tools and
 * tests (spawnPeaklab) wait for this line to learn a port-0 server's address.
 */
export function announceListening(
  rt: ServiceRuntime,
  url: string,
  what: string,
  fields: Readonly<Record<string, unknown>> = {},
): void {
  const announcer = rt.logger.level === 'silent' ? rt.logger : rt.logger.child({}, { level: 'info' });
  announcer.info({ event: 'listening', url, ...fields }, `${what} listening on ${url}`);
}
