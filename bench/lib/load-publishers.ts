import type { MqttClient } from 'mqtt';
import { connectPublisher } from './paced-publisher';
import { DEMO_ORG, type SwitchboardTarget } from './targets';

// The browser benchmarks' load as the system gets it in use: a member's client and one
// client per agent, each a real MQTT connection over TCP from outside the server process,
// each publishing what its ACL allows (the member its chat, an agent its own state), at
// QoS 1 as the app and the agents do, through every broker hook.

export interface LoadPublishers {
  /** Publishes a chat message as the member; `payload` must name them as `from`. */
  chat(room: string, payload: string): void;
  /** Publishes `agent`'s retained state as that agent. */
  agentState(agent: string, payload: string): void;
  /** Publishes that failed (a PUBACK never came, or the connection went). */
  readonly errors: number;
  close(): Promise<void>;
}

export async function connectLoadPublishers(
  server: SwitchboardTarget,
  member: { user: string; clients: number },
  agents: readonly string[],
): Promise<LoadPublishers> {
  const connect = async (user: string, tag = ''): Promise<MqttClient> => {
    const clientId = `${user}-load${tag}`;
    const [token] = await server.mint(user, [clientId]);
    return connectPublisher(server.mqttUrl, {
      clientId,
      username: `${user}@${DEMO_ORG}`,
      password: token,
    });
  };
  // The member's chat goes round its clients (a member signed in on several devices).
  const memberClients = await Promise.all(
    Array.from({ length: member.clients }, (_, i) => connect(member.user, String(i))),
  );
  let nextMemberClient = 0;
  const agentClients = new Map(
    await Promise.all(agents.map(async (agent) => [agent, await connect(agent)] as const)),
  );
  let errors = 0;
  const onDone = (error?: Error) => {
    if (error) errors++;
  };
  return {
    chat(room, payload) {
      const client = memberClients[nextMemberClient++ % memberClients.length];
      client?.publish(`chat/${room}/messages`, payload, { qos: 1 }, onDone);
    },
    agentState(agent, payload) {
      const client = agentClients.get(agent);
      if (!client) throw new Error(`no publisher for agent ${agent}`);
      client.publish(`agents/${agent}/state`, payload, { qos: 1, retain: true }, onDone);
    },
    get errors() {
      return errors;
    },
    async close() {
      await Promise.all([...memberClients, ...agentClients.values()].map((c) => c.endAsync()));
    },
  };
}
