import type { Logger } from 'pino';
import { createLogger } from '../../../src/server/logger';

/** A logger at `info` whose lines a test reads back, as objects, from `events`. */
export function captureLog(): { logger: Logger; events: Record<string, unknown>[] } {
  const events: Record<string, unknown>[] = [];
  const logger = createLogger('info', {
    write: (line: string) => void events.push(JSON.parse(line) as Record<string, unknown>),
  });
  return { logger, events };
}
