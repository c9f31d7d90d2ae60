import { appendFileSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { machine } from './machine';

const RESULTS_DIR = fileURLToPath(new URL('../results/', import.meta.url));

/** One JSON line per run in bench/results/<name>.jsonl (git-ignored). */
export function saveResult(name: string, rows: unknown[], settings: unknown): void {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const line = JSON.stringify({
    name,
    at: new Date().toISOString(),
    machine: machine(),
    settings,
    rows,
  });
  appendFileSync(`${RESULTS_DIR}${name}.jsonl`, `${line}\n`);
}
