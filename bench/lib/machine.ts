import os from 'node:os';
import { mosquittoVersion } from './mosquitto';

export interface MachineInfo {
  cpus: number;
  cpuModel: string;
  memoryGiB: number;
  node: string;
  mosquitto: string | null;
  /** 1-minute load average when the run started: > 0 means others were using the CPUs. */
  loadAverage: number;
}

const BYTES_PER_GIB = 1_024 ** 3;

export function machine(): MachineInfo {
  return {
    cpus: os.availableParallelism(),
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round((os.totalmem() / BYTES_PER_GIB) * 10) / 10,
    node: process.version,
    mosquitto: mosquittoVersion(),
    loadAverage: Math.round((os.loadavg()[0] ?? 0) * 100) / 100,
  };
}
