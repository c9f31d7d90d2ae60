import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, DEFAULTS, loadConfig, type Config } from '../../src/server/config';

describe('loadConfig', () => {
  it('gives the documented defaults for an empty environment', () => {
    expect(loadConfig({})).toEqual({
      host: '127.0.0.1',
      port: 8080,
      mqttPort: 1883,
      dataDir: './data',
      tls: null,
      tokenTtlSeconds: 3600,
      sessionTtlSeconds: 604_800,
      historyRetentionDays: 30,
      sessionExpiryDays: 14,
      maxPacketBytes: 262_144,
      maxRoomsPerOrg: 500,
      allowedOrigins: [],
      trustProxy: [],
      logLevel: 'info',
      demoPassword: null,
      demoAgents: 5,
      chatRatePerSecond: 20,
      chatBurst: 60,
    } satisfies Config);
    expect(DEFAULTS.port).toBe(8080);
  });

  const accepted: [string, NodeJS.ProcessEnv, Partial<Config>][] = [
    ['HOST', { HOST: '0.0.0.0' }, { host: '0.0.0.0' }],
    ['PORT 0 (tests pick a free port)', { PORT: '0' }, { port: 0 }],
    ['PORT with spaces', { PORT: ' 9000 ' }, { port: 9000 }],
    ['blank PORT = default', { PORT: '' }, { port: 8080 }],
    ['MQTT_PORT', { MQTT_PORT: '18830' }, { mqttPort: 18830 }],
    ['DATA_DIR', { DATA_DIR: '/var/lib/sb' }, { dataDir: '/var/lib/sb' }],
    ['TOKEN_TTL_SECONDS', { TOKEN_TTL_SECONDS: '60' }, { tokenTtlSeconds: 60 }],
    ['SESSION_TTL_SECONDS', { SESSION_TTL_SECONDS: '3600' }, { sessionTtlSeconds: 3600 }],
    ['HISTORY_RETENTION_DAYS min', { HISTORY_RETENTION_DAYS: '1' }, { historyRetentionDays: 1 }],
    [
      'HISTORY_RETENTION_DAYS max',
      { HISTORY_RETENTION_DAYS: '3650' },
      { historyRetentionDays: 3650 },
    ],
    ['SESSION_EXPIRY_DAYS', { SESSION_EXPIRY_DAYS: '2' }, { sessionExpiryDays: 2 }],
    ['MAX_PACKET_BYTES', { MAX_PACKET_BYTES: '1048576' }, { maxPacketBytes: 1_048_576 }],
    ['MAX_ROOMS_PER_ORG', { MAX_ROOMS_PER_ORG: '2000' }, { maxRoomsPerOrg: 2000 }],
    [
      'ALLOWED_ORIGINS normalised',
      { ALLOWED_ORIGINS: 'https://Chat.Example.com/, http://localhost:5173' },
      { allowedOrigins: ['https://chat.example.com', 'http://localhost:5173'] },
    ],
    [
      'ALLOWED_ORIGINS default port dropped',
      { ALLOWED_ORIGINS: 'https://a.io:443' },
      { allowedOrigins: ['https://a.io'] },
    ],
    ['TRUST_PROXY loopback', { TRUST_PROXY: 'loopback' }, { trustProxy: ['loopback'] }],
    [
      'TRUST_PROXY addresses and ranges, trimmed, lowercased',
      { TRUST_PROXY: ' 10.0.0.5 , 172.16.0.0/12,FD00::/8, ::1, UniqueLocal,' },
      { trustProxy: ['10.0.0.5', '172.16.0.0/12', 'fd00::/8', '::1', 'uniquelocal'] },
    ],
    ['blank TRUST_PROXY = none', { TRUST_PROXY: ' ' }, { trustProxy: [] }],
    ['LOG_LEVEL', { LOG_LEVEL: 'debug' }, { logLevel: 'debug' }],
    ['LOG_LEVEL silent', { LOG_LEVEL: 'silent' }, { logLevel: 'silent' }],
    ['DEMO_PASSWORD kept as given', { DEMO_PASSWORD: ' s3cret ' }, { demoPassword: ' s3cret ' }],
    ['empty DEMO_PASSWORD = none', { DEMO_PASSWORD: '' }, { demoPassword: null }],
    ['DEMO_AGENTS 0', { DEMO_AGENTS: '0' }, { demoAgents: 0 }],
    ['CHAT_RATE_PER_SECOND 0 (no limit)', { CHAT_RATE_PER_SECOND: '0' }, { chatRatePerSecond: 0 }],
    [
      'CHAT_RATE_PER_SECOND and CHAT_BURST',
      { CHAT_RATE_PER_SECOND: '5', CHAT_BURST: '1' },
      { chatRatePerSecond: 5, chatBurst: 1 },
    ],
  ];
  it.each(accepted)('accepts %s', (_name, env, expected) => {
    expect(loadConfig(env)).toMatchObject(expected);
  });

  const refused: [NodeJS.ProcessEnv, string, RegExp][] = [
    [{ PORT: 'abc' }, 'PORT', /whole number from 0 to 65535/],
    [{ PORT: '65536' }, 'PORT', /got 65536/],
    [{ PORT: '-1' }, 'PORT', /whole number/],
    [{ PORT: '80.5' }, 'PORT', /whole number/],
    [{ PORT: '1e3' }, 'PORT', /whole number/],
    [{ MQTT_PORT: '70000' }, 'MQTT_PORT', /0 to 65535/],
    [{ TOKEN_TTL_SECONDS: '0' }, 'TOKEN_TTL_SECONDS', /from 1 to 86400/],
    [{ TOKEN_TTL_SECONDS: '86401' }, 'TOKEN_TTL_SECONDS', /from 1 to 86400/],
    [{ SESSION_TTL_SECONDS: '10' }, 'SESSION_TTL_SECONDS', /from 60/],
    [{ HISTORY_RETENTION_DAYS: '0' }, 'HISTORY_RETENTION_DAYS', /from 1 to 3650/],
    [{ SESSION_EXPIRY_DAYS: '0' }, 'SESSION_EXPIRY_DAYS', /from 1 to 3650/],
    [{ HISTORY_RETENTION_DAYS: '3651' }, 'HISTORY_RETENTION_DAYS', /from 1 to 3650/],
    [{ MAX_PACKET_BYTES: '100' }, 'MAX_PACKET_BYTES', /from 1024 to 268435455/],
    [{ MAX_PACKET_BYTES: '268435456' }, 'MAX_PACKET_BYTES', /268435455/],
    [{ MAX_ROOMS_PER_ORG: '0' }, 'MAX_ROOMS_PER_ORG', /from 1 to 100000/],
    [{ ALLOWED_ORIGINS: 'not a url' }, 'ALLOWED_ORIGINS', /not an origin/],
    [{ ALLOWED_ORIGINS: 'https://a.io/app' }, 'ALLOWED_ORIGINS', /without a path/],
    [{ ALLOWED_ORIGINS: 'ftp://a.io' }, 'ALLOWED_ORIGINS', /http\(s\)/],
    [{ TRUST_PROXY: 'true' }, 'TRUST_PROXY', /"true" would believe any client/],
    [{ TRUST_PROXY: '10.0.0.1, *' }, 'TRUST_PROXY', /"\*" would believe any client/],
    [{ TRUST_PROXY: '1' }, 'TRUST_PROXY', /"1" reads as a hop count/],
    [{ TRUST_PROXY: 'false' }, 'TRUST_PROXY', /leave TRUST_PROXY unset to trust none/],
    [{ TRUST_PROXY: 'proxy.internal' }, 'TRUST_PROXY', /"proxy.internal" is not an IP address/],
    [{ TRUST_PROXY: '10.1' }, 'TRUST_PROXY', /"10.1" is not an IP address/],
    [{ TRUST_PROXY: '10.0.0.0/33' }, 'TRUST_PROXY', /not an IP address, a CIDR range/],
    [{ TRUST_PROXY: '10.0.0.0/255.0.0.0' }, 'TRUST_PROXY', /not an IP address, a CIDR range/],
    [{ TRUST_PROXY: 'fe80::1%eth0' }, 'TRUST_PROXY', /not an IP address/],
    [{ TRUST_PROXY: '0.0.0.0/0' }, 'TRUST_PROXY', /would trust every address/],
    [{ TRUST_PROXY: '::/0' }, 'TRUST_PROXY', /would trust every address/],
    [{ LOG_LEVEL: 'verbose' }, 'LOG_LEVEL', /one of fatal, error/],
    [{ DEMO_AGENTS: '100' }, 'DEMO_AGENTS', /from 0 to 99/],
    [{ CHAT_RATE_PER_SECOND: '0.5' }, 'CHAT_RATE_PER_SECOND', /whole number from 0 to 100000/],
    [{ CHAT_BURST: '0' }, 'CHAT_BURST', /from 1 to 1000000/],
    [{ TLS_CERT_FILE: '/x.pem' }, 'TLS_KEY_FILE', /together with TLS_CERT_FILE/],
    [{ TLS_KEY_FILE: '/x.pem' }, 'TLS_CERT_FILE', /together with TLS_KEY_FILE/],
    [
      { TLS_CERT_FILE: '/nonexistent/cert.pem', TLS_KEY_FILE: '/nonexistent/key.pem' },
      'TLS_CERT_FILE',
      /cannot read "\/nonexistent\/cert.pem"/,
    ],
  ];
  it.each(refused)('refuses %j naming %s', (env, variable, message) => {
    let error: unknown;
    try {
      loadConfig(env);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).variable).toBe(variable);
    expect((error as ConfigError).message).toMatch(new RegExp(`^${variable}: `));
    expect((error as ConfigError).message).toMatch(message);
  });

  describe('TLS files', () => {
    let dir: string;
    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'sb-config-'));
      await writeFile(join(dir, 'cert.pem'), '-----BEGIN CERTIFICATE-----\nAAA\n');
      await writeFile(join(dir, 'key.pem'), '-----BEGIN PRIVATE KEY-----\nBBB\n');
      await writeFile(join(dir, 'junk.txt'), 'hello');
    });
    afterAll(() => rm(dir, { recursive: true, force: true }));

    it('reads both PEM files', () => {
      const config = loadConfig({
        TLS_CERT_FILE: join(dir, 'cert.pem'),
        TLS_KEY_FILE: join(dir, 'key.pem'),
      });
      expect(config.tls).toEqual({
        cert: '-----BEGIN CERTIFICATE-----\nAAA\n',
        key: '-----BEGIN PRIVATE KEY-----\nBBB\n',
      });
    });

    it('refuses a file that is not PEM', () => {
      expect(() =>
        loadConfig({ TLS_CERT_FILE: join(dir, 'cert.pem'), TLS_KEY_FILE: join(dir, 'junk.txt') }),
      ).toThrow(/TLS_KEY_FILE: .*is not a PEM file/);
    });
  });
});
