import { fileURLToPath } from 'node:url';
import { list } from './args';
import { startMosquittoTarget, startPlainAedes, startSwitchboard, type Target } from './targets';

export const PROFILE_DIR = fileURLToPath(new URL('../results/profiles/', import.meta.url));

export interface TargetArgs {
  profile: boolean;
  /** Comma-separated what-if changes (bench/servers/experiments.ts) for the Aedes servers. */
  experiments: string;
}

/** A broker by name; null (with a note printed) when Mosquitto is not installed. */
export async function startTarget(name: string, args: TargetArgs): Promise<Target | null> {
  switch (name) {
    case 'switchboard':
      return startSwitchboard({
        experiments: list(args.experiments),
        ...(args.profile ? { cpuProfDir: PROFILE_DIR } : {}),
      });
    case 'plain-aedes':
      return startPlainAedes(list(args.experiments));
    case 'plain-aedes-memory':
      return startPlainAedes(list(args.experiments), 'memory');
    case 'mosquitto':
      return startMosquittoTarget();
    default:
      throw new Error(
        `unknown target ${name}: switchboard, plain-aedes, plain-aedes-memory or mosquitto`,
      );
  }
}
