import type { Config } from './config';

/**
 * What to tell an operator when the server cannot start listening, naming the setting to
 * change; null for any other error (reported as it is).
 */
export function describeListenError(
  error: unknown,
  config: Pick<Config, 'host' | 'port' | 'mqttPort'>,
): string | null {
  if (!(error instanceof Error)) return null;
  const { code, port, syscall } = error as NodeJS.ErrnoException & { port?: number };
  if (syscall === 'getaddrinfo' && (code === 'ENOTFOUND' || code === 'EAI_AGAIN')) {
    return `HOST: "${config.host}" is not an address or a name this machine can resolve`;
  }
  // EACCES is also a file the server may not write (DATA_DIR): that one is reported as is.
  if (syscall !== 'listen') return null;
  const setting =
    port === config.port ? 'PORT' : port === config.mqttPort ? 'MQTT_PORT' : 'PORT or MQTT_PORT';
  const where = `${config.host}:${port ?? '?'}`;
  switch (code) {
    case 'EADDRINUSE':
      return `${setting}: ${where} is in use by another program; choose a free port`;
    case 'EACCES':
      return `${setting}: not allowed to listen on ${where} (ports below 1024 need privileges)`;
    case 'EADDRNOTAVAIL':
      return `HOST: ${config.host} is not an address of this machine`;
    default:
      return null;
  }
}
