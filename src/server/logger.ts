import { pino, type DestinationStream, type Logger } from 'pino';

// One JSON line per event on stdout; the level comes from LOG_LEVEL (tests pass 'silent').
export function createLogger(level: string, destination?: DestinationStream): Logger {
  const options = {
    level,
    base: { service: 'switchboard' },
    // Credentials must never reach a log line, whichever object carries them.
    redact: {
      paths: [
        'password',
        '*.password',
        'token',
        '*.token',
        'req.headers.cookie',
        'req.headers.authorization',
        'res.headers["set-cookie"]',
      ],
      censor: '[redacted]',
    },
  };
  return destination ? pino(options, destination) : pino(options);
}

export type { Logger };
