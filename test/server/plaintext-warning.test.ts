import { describe, expect, it } from 'vitest';
import { plaintextWarning } from '../../src/server/plaintext-warning';

const tls = { cert: 'cert', key: 'key' };

describe('plaintextWarning', () => {
  it.each(['127.0.0.1', '127.0.0.2', 'localhost', '::1', '[::1]'])(
    'says nothing for %s, this machine only',
    (host) => {
      expect(plaintextWarning({ host, tls: null })).toBeNull();
    },
  );

  it.each(['0.0.0.0', '::', '192.168.1.10', 'chat.example.com'])(
    'warns for %s without TLS, and not with it',
    (host) => {
      expect(plaintextWarning({ host, tls: null })).toContain(`HOST is ${host} without TLS`);
      expect(plaintextWarning({ host, tls })).toBeNull();
    },
  );
});
