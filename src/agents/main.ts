import { parseArgs } from 'node:util';
import { DEFAULT_ORG, MAX_AGENTS, startAgentFleet, type NotifierOptions } from './agent-fleet';

// npm run agents -- --count 3 --url mqtt://localhost:1883 [--password pw | AGENT_PASSWORD]
//   [--org demo] [--notify alice,bob --notifier-password pw | NOTIFIER_PASSWORD]

const USAGE = `usage: npm run agents -- --count <n> --url <broker url> [--password <pw>] [--org <org>]
       [--notify <user,user> [--notifier-password <pw>]]
  --password           agents' password (or env AGENT_PASSWORD), shared by agent-01…agent-NN
  --notify             users who get a notification from notifier@<org> every few minutes
  --notifier-password  the notifier's password (or env NOTIFIER_PASSWORD)`;

interface Cli {
  url: string;
  count: number;
  password: string;
  org: string;
  notifier: NotifierOptions | null;
}

function parseCli(argv: string[], env: NodeJS.ProcessEnv): Cli | 'help' {
  const { values } = parseArgs({
    args: argv,
    options: {
      count: { type: 'string' },
      url: { type: 'string' },
      password: { type: 'string' },
      org: { type: 'string', default: DEFAULT_ORG },
      notify: { type: 'string' },
      'notifier-password': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) return 'help';
  const count = Number(values.count);
  if (!Number.isInteger(count) || count < 1 || count > MAX_AGENTS) {
    throw new Error(`--count must be an integer from 1 to ${MAX_AGENTS}`);
  }
  if (!values.url) throw new Error('--url is required, e.g. mqtt://localhost:1883');
  const password = values.password ?? env.AGENT_PASSWORD;
  if (!password) throw new Error('give the agents a password: --password or AGENT_PASSWORD');
  let notifier: NotifierOptions | null = null;
  if (values.notify) {
    const notifierPassword = values['notifier-password'] ?? env.NOTIFIER_PASSWORD;
    if (!notifierPassword) {
      throw new Error('--notify needs --notifier-password or NOTIFIER_PASSWORD');
    }
    const recipients = values.notify.split(',').filter((user) => user.length > 0);
    notifier = { username: 'notifier', password: notifierPassword, recipients };
  }
  return { url: values.url, count, password, org: values.org, notifier };
}

async function main(): Promise<void> {
  let cli: Cli | 'help';
  try {
    cli = parseCli(process.argv.slice(2), process.env);
  } catch (error) {
    // parseArgs throws readable messages for unknown or malformed flags, as we do.
    console.error(`${error instanceof Error ? error.message : String(error)}\n\n${USAGE}`);
    process.exitCode = 2;
    return;
  }
  if (cli === 'help') {
    console.log(USAGE);
    return;
  }
  const { password } = cli;
  const fleet = await startAgentFleet({ ...cli, password: () => password });
  if (fleet.agents.length === 0) {
    // Each has said why; nothing is left to run.
    console.error(`the broker at ${cli.url} refused every agent`);
    process.exitCode = 1;
    await fleet.stop();
    return;
  }
  const refused = fleet.refused.length > 0 ? ` (refused: ${fleet.refused.join(', ')})` : '';
  console.log(
    `${fleet.agents.length} agents connected to ${cli.url} as agent-NN@${cli.org}${refused}; Ctrl+C stops`,
  );
  const shutdown = () => {
    fleet.stop().then(
      () => console.log('agents disconnected'),
      (error: unknown) => {
        console.error('stopping failed:', error);
        process.exitCode = 1;
      },
    );
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
