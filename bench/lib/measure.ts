import { cpuMicros } from './proc-stats';

const MICROS_PER_MS = 1_000;

/** Wall time (ms, comparable across processes on this machine) and a process's CPU time. */
export interface Mark {
  at: number;
  cpuMicros: number;
}

export const now = () => performance.timeOrigin + performance.now();

export function mark(pid: number): Mark {
  return { at: now(), cpuMicros: cpuMicros(pid) };
}

export interface Cost {
  seconds: number;
  /** Broker CPU over the interval, as a share of one core. */
  cpuPercent: number;
  cpuMicros: number;
}

export function costBetween(start: Mark, end: Mark): Cost {
  const elapsedMs = end.at - start.at;
  const cpu = end.cpuMicros - start.cpuMicros;
  return {
    seconds: elapsedMs / 1_000,
    cpuPercent: (100 * cpu) / (elapsedMs * MICROS_PER_MS),
    cpuMicros: cpu,
  };
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
