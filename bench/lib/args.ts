import { parseArgs } from 'node:util';

// Every benchmark takes `--name=value` options so small loads can be tried while developing
// (`npm run bench:fan-out -- --subscribers=20 --seconds=1`); defaults are the loads.

export function benchArgs<T extends Record<string, string>>(defaults: T): T & { profile: boolean } {
  const { values } = parseArgs({
    options: {
      ...Object.fromEntries(
        Object.keys(defaults).map((name) => [name, { type: 'string' as const }]),
      ),
      profile: { type: 'boolean' },
    },
    strict: true,
  });
  const merged = { ...defaults } as Record<string, string>;
  for (const name of Object.keys(defaults)) {
    const value = (values as Record<string, unknown>)[name];
    if (typeof value === 'string') merged[name] = value;
  }
  return { ...(merged as T), profile: values.profile === true };
}

export const list = (value: string) => value.split(',').filter(Boolean);
export const numbers = (value: string) => list(value).map(Number);
