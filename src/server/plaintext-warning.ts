import type { Config } from './config';

const LOOPBACK = /^(localhost|127(\.\d{1,3}){3}|::1|\[::1\])$/i;

/**
 * What to warn an operator of when the server listens beyond this machine without TLS:
 * passwords, tokens and messages would cross the network in the clear (DESIGN.md keeps
 * plain ws:// and mqtt:// for localhost, or behind a TLS-terminating proxy). Null when not.
 */
export function plaintextWarning(config: Pick<Config, 'host' | 'tls'>): string | null {
  if (config.tls !== null || LOOPBACK.test(config.host)) return null;
  return `HOST is ${config.host} without TLS_CERT_FILE and TLS_KEY_FILE: passwords, tokens and messages travel unencrypted unless a TLS-terminating proxy is in front`;
}
