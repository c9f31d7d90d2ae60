import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { json } from '../server/support/mqtt-clients';
import { DEMO_PASSWORD, startTestServer, type TestServer } from '../server/support/test-server';

// Debian's mosquitto_pub / mosquitto_sub (package mosquitto-clients) as any service or
// device would use them: plain MQTT 3.1.1 over TCP with permanent credentials.
const run = promisify(execFile);
let server: TestServer;
let port: string;

beforeAll(async () => {
  server = await startTestServer();
  port = new URL(server.mqttUrl).port;
});
afterAll(() => server.cleanup());

const auth = (user: string) => [
  '-h',
  '127.0.0.1',
  '-p',
  port,
  '-u',
  `${user}@demo`,
  '-P',
  DEMO_PASSWORD,
  '-V',
  'mqttv311',
];

describe('mosquitto clients with permanent credentials', () => {
  it('mosquitto_pub publishes a retained agent state that mosquitto_sub reads', async () => {
    const state = json({
      status: 'working',
      task: 'From mosquitto',
      progress: 10,
      updatedAt: Date.now(),
    });
    await run('mosquitto_pub', [
      ...auth('agent-01'),
      '-t',
      'agents/agent-01/state',
      '-r',
      '-q',
      '1',
      '-m',
      state,
    ]);
    const { stdout } = await run('mosquitto_sub', [
      ...auth('notifier'),
      '-t',
      'agents/+/state',
      '-C',
      '1',
      '-W',
      '5',
      '-v',
    ]);
    expect(stdout.trim()).toBe(`agents/agent-01/state ${state}`);
  });

  it('a service sends a notification from the command line that the recipient receives', async () => {
    const sub = spawn('mosquitto_sub', [
      ...auth('bob'),
      '-t',
      'notifications/bob',
      '-C',
      '1',
      '-W',
      '10',
      '-q',
      '1',
    ]);
    let out = '';
    sub.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => sub.on('exit', resolve));
    await new Promise((resolve) => setTimeout(resolve, 500)); // let the subscription land
    const note = json({
      id: 'cli-1',
      title: 'Backup done',
      body: 'nightly backup finished',
      createdAt: Date.now(),
    });
    await run('mosquitto_pub', [
      ...auth('notifier'),
      '-t',
      'notifications/bob',
      '-q',
      '1',
      '-m',
      note,
    ]);
    expect(await exited).toBe(0);
    expect(out.trim()).toBe(note);
  });

  it('a wrong password is refused with a CONNACK error', async () => {
    const result = await run('mosquitto_pub', [
      '-h',
      '127.0.0.1',
      '-p',
      port,
      '-u',
      'agent-01@demo',
      '-P',
      'wrong',
      '-t',
      'agents/agent-01/state',
      '-m',
      '{}',
    ]).then(
      () => ({ code: 0, stderr: '' }),
      (error: { code: number; stderr: string }) => error,
    );
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/not authori[sz]ed|bad user name or password/i);
  });

  it('a subscription wider than the ACL is refused in the SUBACK', async () => {
    // mosquitto_sub reports the 0x80 grant and gives up instead of waiting for messages.
    const { stdout, stderr } = await run('mosquitto_sub', [
      ...auth('agent-01'),
      '-t',
      'agents/+/inbox',
      '-C',
      '1',
      '-W',
      '5',
    ]);
    expect(stdout + stderr).toMatch(/All subscription requests were denied/);
  });
});
