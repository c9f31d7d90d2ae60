// Display formats for the console's tables. Times render inside <time dateTime>, so the
// exact instant stays machine-readable whatever the locale shows.

const dateTimeFormat = new Intl.DateTimeFormat(undefined, {
  year: 'numeric',
  month: 'short',
  day: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
});

export function formatDateTime(ms: number): string {
  return dateTimeFormat.format(ms);
}

export function isoTime(ms: number): string {
  return new Date(ms).toISOString();
}

const BYTE_UNITS = ['B', 'KB', 'MB', 'GB', 'TB'] as const;

export function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < BYTE_UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  const digits = unit === 0 || value >= 100 ? 0 : 1;
  return `${value.toFixed(digits)} ${BYTE_UNITS[unit]}`;
}

/** 93_784 → "1d 2h 3m"; below a minute, seconds. */
export function formatDuration(totalSeconds: number): string {
  const s = Math.max(0, Math.floor(totalSeconds));
  const days = Math.floor(s / 86_400);
  const hours = Math.floor((s % 86_400) / 3_600);
  const minutes = Math.floor((s % 3_600) / 60);
  if (days > 0) return `${days}d ${hours}h ${minutes}m`;
  if (hours > 0) return `${hours}h ${minutes}m`;
  if (minutes > 0) return `${minutes}m ${s % 60}s`;
  return `${s}s`;
}

/** Rates: whole numbers as they are, small ones with one decimal. */
export function formatRate(perSecond: number): string {
  return Number.isInteger(perSecond) || perSecond >= 100
    ? String(Math.round(perSecond))
    : perSecond.toFixed(1);
}

export function protocolName(version: number): string {
  if (version === 5) return 'MQTT 5';
  if (version === 4) return 'MQTT 3.1.1';
  if (version === 3) return 'MQTT 3.1';
  return `MQTT (level ${version})`;
}

export function transportName(transport: 'ws' | 'tcp', secure: boolean): string {
  if (transport === 'ws') return secure ? 'WSS' : 'WebSocket';
  return secure ? 'TLS' : 'TCP';
}
