import type { MqttClient } from 'mqtt';
import { roleRules } from '../../../src/shared/acl';
import { connect, json, subscribeGrants } from './mqtt-clients';
import type { TestServer } from './test-server';

/**
 * A tab of `user`'s (org demo) as the app connects: a token, a persistent session, every
 * room, and its presence retained online. The caller closes it.
 */
export async function appTab(
  server: TestServer,
  user: string,
  clientId: string,
): Promise<{ client: MqttClient; token: string }> {
  const { token } = await server.tokens.mint({
    org: 'demo',
    user,
    clientId,
    acl: roleRules('member'),
  });
  const client = await connect(server.mqttUrl, {
    username: `${user}@demo`,
    password: token,
    clientId,
    clean: false,
  });
  await subscribeGrants(client, ['chat/+/+'], 1);
  await client.publishAsync(
    `presence/${user}/${clientId}`,
    json({ status: 'online', since: Date.now() }),
    { qos: 1, retain: true },
  );
  return { client, token };
}
