import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/server/logger';

function capture(): { lines: string[]; stream: Writable } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { lines, stream };
}

describe('createLogger', () => {
  it('writes one JSON line per event at or above the level', () => {
    const { lines, stream } = capture();
    const log = createLogger('warn', stream);
    log.info('hidden');
    log.warn({ user: 'alice' }, 'shown');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0] ?? '')).toMatchObject({ msg: 'shown', user: 'alice', level: 40 });
  });

  it('never logs credentials', () => {
    const { lines, stream } = capture();
    createLogger('info', stream).info({ password: 'pw', auth: { token: 'jwt' } }, 'sign-in');
    expect(lines.join('')).not.toMatch(/"pw"|"jwt"/);
    expect(JSON.parse(lines[0] ?? '')).toMatchObject({ password: '[redacted]' });
  });

  it('is quiet at level silent', () => {
    const { lines, stream } = capture();
    createLogger('silent', stream).fatal('nothing');
    expect(lines).toEqual([]);
  });
});
