import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

// Both brokers are measured from outside, the same way: CPU time and resident memory of
// their process as Linux accounts it, so neither reports on itself.

const DEFAULT_CLOCK_TICKS_PER_SECOND = 100;
const MICROS_PER_SECOND = 1_000_000;
const BYTES_PER_KIB = 1_024;

function clockTicksPerSecond(): number {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
  } catch {
    return DEFAULT_CLOCK_TICKS_PER_SECOND;
  }
}
const TICKS_PER_SECOND = clockTicksPerSecond();

/** User + system CPU time of a process so far, in µs (resolution: one clock tick, 10 ms). */
export function cpuMicros(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name may hold spaces: fields are counted after its closing parenthesis.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  return ((utime + stime) * MICROS_PER_SECOND) / TICKS_PER_SECOND;
}

/** Resident set size in bytes. */
export function rssBytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = /^VmRSS:\s+(\d+) kB$/m.exec(status);
  if (!match?.[1]) throw new Error(`no VmRSS for process ${pid}`);
  return Number(match[1]) * BYTES_PER_KIB;
}
