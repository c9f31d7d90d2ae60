import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';

// Parsed once at start-up from environment variables; every bad value is refused with
// the variable's name and what it expects, so a typo never starts a half-configured server.

export interface Config {
  host: string;
  port: number;
  mqttPort: number;
  dataDir: string;
  /** PEM contents, not paths: read once here so a missing file fails at start-up. */
  tls: { cert: string; key: string } | null;
  tokenTtlSeconds: number;
  sessionTtlSeconds: number;
  historyRetentionDays: number;
  /** A persistent MQTT session whose client stays away this long is dropped. */
  sessionExpiryDays: number;
  maxPacketBytes: number;
  /** Rooms an org may have; POST /api/rooms and the CLI's `room add` refuse more (rooms.add). */
  maxRoomsPerOrg: number;
  /** Normalised origins (`scheme://host[:port]`). Empty = the same origin only. */
  allowedOrigins: string[];
  /**
   * Proxies whose X-Forwarded-For, -Proto and -Host are believed: addresses, CIDR ranges,
   * or `loopback`, `linklocal`, `uniquelocal` (lowercase). Empty = none: every request is
   * from its socket's peer, as plain http or https as its socket.
   */
  trustProxy: string[];
  logLevel: string;
  demoPassword: string | null;
  demoAgents: number;
  /**
   * Chat messages, typing and agent commands a member or admin may publish per second,
   * sustained, across their connections (broker/publish-rate-limit.ts); 0: no limit.
   */
  chatRatePerSecond: number;
  /** How many of those they may publish at once after a pause. */
  chatBurst: number;
}

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`${variable}: ${message}`);
    this.name = 'ConfigError';
  }
}

const SECONDS_PER_DAY = 86_400;

export const DEFAULTS = {
  host: '127.0.0.1',
  port: 8080,
  mqttPort: 1883,
  dataDir: './data',
  tokenTtlSeconds: 3_600,
  sessionTtlSeconds: 7 * SECONDS_PER_DAY,
  historyRetentionDays: 30,
  sessionExpiryDays: 14,
  maxPacketBytes: 262_144, // 256 KiB
  // Every member's room list, unread counts and mention checks walk the org's rooms: a
  // script making thousands made each of those slower for everyone.
  maxRoomsPerOrg: 500,
  logLevel: 'info',
  demoAgents: 5,
  // Far above anyone typing (the app sends typing at most every 2 s), far below a flood:
  // a paste of 60 lines goes at once, then 20 a second.
  chatRatePerSecond: 20,
  chatBurst: 60,
} as const;

// The MQTT remaining-length field tops out at 268,435,455 bytes [MQTT-2.2.3].
const MQTT_MAX_PACKET_BYTES = 268_435_455;
// Below this even a CONNECT with a JWT password would not fit.
const MIN_PACKET_BYTES = 1_024;
const MAX_TOKEN_TTL_SECONDS = SECONDS_PER_DAY;
const MAX_SESSION_TTL_SECONDS = 90 * SECONDS_PER_DAY;
// agent-01 .. agent-99: the seed names them with two digits.
const MAX_DEMO_AGENTS = 99;
// Past these the limit limits nothing the broker could take from one user anyway.
const MAX_CHAT_RATE_PER_SECOND = 100_000;
const MAX_CHAT_BURST = 1_000_000;
// An org with more rooms than this is not a workspace anyone reads.
const MAX_ROOMS_PER_ORG = 100_000;

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

type Env = NodeJS.ProcessEnv;

/** Unset and blank are the same: a variable exported empty means "use the default". */
function raw(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === undefined || value === '' ? undefined : value;
}

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const value = raw(env, name);
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value)) {
    throw new ConfigError(name, `expected a whole number from ${min} to ${max}, got "${value}"`);
  }
  const n = Number(value);
  if (n < min || n > max) {
    throw new ConfigError(name, `expected a whole number from ${min} to ${max}, got ${n}`);
  }
  return n;
}

function origins(env: Env, name: string): string[] {
  const value = raw(env, name);
  if (value === undefined) return [];
  return value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map((entry) => {
      let url: URL;
      try {
        url = new URL(entry);
      } catch {
        throw new ConfigError(name, `"${entry}" is not an origin like https://chat.example.com`);
      }
      const isBareOrigin =
        (url.pathname === '/' || url.pathname === '') && !url.search && !url.hash;
      if ((url.protocol !== 'http:' && url.protocol !== 'https:') || !isBareOrigin) {
        throw new ConfigError(
          name,
          `"${entry}" is not an origin: expected http(s)://host[:port] without a path`,
        );
      }
      return url.origin;
    });
}

// proxy-addr's named ranges (127.0.0.1/8 and ::1; 169.254.0.0/16 and fe80::/10; 10/8,
// 172.16/12, 192.168/16 and fc00::/7).
const NAMED_PROXY_RANGES = ['loopback', 'linklocal', 'uniquelocal'];
const TRUST_EVERYONE = ['true', '*', 'all', 'any', 'yes'];
const TRUST_NONE = ['false', 'none', 'no', 'off'];

/**
 * Only named proxies, never "every peer" or a hop count: either would believe the headers
 * of whoever connects directly, who could then pick their own address (and so their own
 * sign-in throttle) and scheme. Addresses are taken in their plain forms only, so a value
 * like `10.1` (which proxy-addr would read as 10.0.0.1) is refused, not guessed at.
 */
function trustProxy(env: Env): string[] {
  const value = raw(env, 'TRUST_PROXY');
  if (value === undefined) return [];
  return value
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter((s) => s !== '')
    .map((entry) => {
      const problem = proxyEntryProblem(entry);
      if (problem !== null) throw new ConfigError('TRUST_PROXY', `"${entry}" ${problem}`);
      return entry;
    });
}

/** What is wrong with one TRUST_PROXY entry; null when it names proxies. */
function proxyEntryProblem(entry: string): string | null {
  if (NAMED_PROXY_RANGES.includes(entry)) return null;
  if (TRUST_EVERYONE.includes(entry)) {
    return "would believe any client's X-Forwarded-For, so anyone could choose their address; name the proxy's addresses or CIDR ranges, or loopback";
  }
  if (TRUST_NONE.includes(entry)) return 'is not a proxy; leave TRUST_PROXY unset to trust none';
  if (/^\d+$/.test(entry)) {
    return "reads as a hop count, which believes whoever connects; name the proxy's addresses or CIDR ranges instead";
  }
  const notAProxy = `is not an IP address, a CIDR range (10.0.0.0/8, fd00::/8) or one of ${NAMED_PROXY_RANGES.join(', ')}`;
  const [address = '', prefix, ...more] = entry.split('/');
  const version = address.includes('%') ? 0 : isIP(address); // no IPv6 zone ids
  if (version === 0 || more.length > 0) return notAProxy;
  if (prefix === undefined) return null;
  if (!/^\d{1,3}$/.test(prefix) || Number(prefix) > (version === 4 ? 32 : 128)) return notAProxy;
  if (Number(prefix) === 0) {
    return "would trust every address; name the proxy's addresses or CIDR ranges";
  }
  return null;
}

function readPem(name: string, path: string): string {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError(name, `cannot read "${path}": ${(err as Error).message}`);
  }
  if (!text.includes('-----BEGIN')) {
    throw new ConfigError(name, `"${path}" is not a PEM file`);
  }
  return text;
}

function tls(env: Env): Config['tls'] {
  const certFile = raw(env, 'TLS_CERT_FILE');
  const keyFile = raw(env, 'TLS_KEY_FILE');
  if (certFile === undefined && keyFile === undefined) return null;
  if (certFile === undefined) {
    throw new ConfigError('TLS_CERT_FILE', 'must be set together with TLS_KEY_FILE');
  }
  if (keyFile === undefined) {
    throw new ConfigError('TLS_KEY_FILE', 'must be set together with TLS_CERT_FILE');
  }
  return { cert: readPem('TLS_CERT_FILE', certFile), key: readPem('TLS_KEY_FILE', keyFile) };
}

function logLevel(env: Env): string {
  const value = raw(env, 'LOG_LEVEL') ?? DEFAULTS.logLevel;
  if (!(LOG_LEVELS as readonly string[]).includes(value)) {
    throw new ConfigError('LOG_LEVEL', `expected one of ${LOG_LEVELS.join(', ')}, got "${value}"`);
  }
  return value;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  return {
    host: raw(env, 'HOST') ?? DEFAULTS.host,
    port: integer(env, 'PORT', DEFAULTS.port, 0, 65_535),
    mqttPort: integer(env, 'MQTT_PORT', DEFAULTS.mqttPort, 0, 65_535),
    dataDir: raw(env, 'DATA_DIR') ?? DEFAULTS.dataDir,
    tls: tls(env),
    tokenTtlSeconds: integer(
      env,
      'TOKEN_TTL_SECONDS',
      DEFAULTS.tokenTtlSeconds,
      1,
      MAX_TOKEN_TTL_SECONDS,
    ),
    sessionTtlSeconds: integer(
      env,
      'SESSION_TTL_SECONDS',
      DEFAULTS.sessionTtlSeconds,
      60,
      MAX_SESSION_TTL_SECONDS,
    ),
    historyRetentionDays: integer(
      env,
      'HISTORY_RETENTION_DAYS',
      DEFAULTS.historyRetentionDays,
      1,
      3_650,
    ),
    sessionExpiryDays: integer(env, 'SESSION_EXPIRY_DAYS', DEFAULTS.sessionExpiryDays, 1, 3_650),
    maxPacketBytes: integer(
      env,
      'MAX_PACKET_BYTES',
      DEFAULTS.maxPacketBytes,
      MIN_PACKET_BYTES,
      MQTT_MAX_PACKET_BYTES,
    ),
    maxRoomsPerOrg: integer(
      env,
      'MAX_ROOMS_PER_ORG',
      DEFAULTS.maxRoomsPerOrg,
      1,
      MAX_ROOMS_PER_ORG,
    ),
    allowedOrigins: origins(env, 'ALLOWED_ORIGINS'),
    trustProxy: trustProxy(env),
    logLevel: logLevel(env),
    demoPassword: demoPassword(env),
    demoAgents: integer(env, 'DEMO_AGENTS', DEFAULTS.demoAgents, 0, MAX_DEMO_AGENTS),
    chatRatePerSecond: integer(
      env,
      'CHAT_RATE_PER_SECOND',
      DEFAULTS.chatRatePerSecond,
      0,
      MAX_CHAT_RATE_PER_SECOND,
    ),
    chatBurst: integer(env, 'CHAT_BURST', DEFAULTS.chatBurst, 1, MAX_CHAT_BURST),
  };
}

/** Not trimmed: a password is taken as given (only "unset" and "empty" mean none). */
function demoPassword(env: NodeJS.ProcessEnv): string | null {
  const value = env.DEMO_PASSWORD;
  return value === undefined || value === '' ? null : value;
}
