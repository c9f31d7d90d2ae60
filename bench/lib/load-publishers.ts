import { connectLeanPublisher, type LeanPublisher } from './lean-publisher';
import { DEMO_ORG, type SwitchboardTarget } from './targets';

/** Where the load connects and how it gets its credentials (any broker that mints them). */
export type LoadBroker = Pick<SwitchboardTarget, 'mqttUrl' | 'mint'>;

// The browser benchmarks' load as the system gets it in use: a member's client and one
// client per agent, each a real MQTT connection over TCP from outside the server process,
// each publishing what its ACL allows (the member its chat, an agent its own state), at
// QoS 1 as the app and the agents do, through every broker hook. The clients are lean
// (lean-publisher.ts): in use they run on other machines, here they share the cores.

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
  server: LoadBroker,
  member: { user: string; clients: number },
  agents: readonly string[],
): Promise<LoadPublishers> {
  const connect = async (user: string, tag = ''): Promise<LeanPublisher> => {
    const clientId = `${user}-load${tag}`;
    const [token] = await server.mint(user, [clientId]);
    return connectLeanPublisher(server.mqttUrl, {
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
  const all = [...memberClients, ...agentClients.values()];
  return {
    chat(room, payload) {
      const client = memberClients[nextMemberClient++ % memberClients.length];
      client?.publish(`chat/${room}/messages`, payload, false);
    },
    agentState(agent, payload) {
      const client = agentClients.get(agent);
      if (!client) throw new Error(`no publisher for agent ${agent}`);
      client.publish(`agents/${agent}/state`, payload, true);
    },
    get errors() {
      return all.reduce((sum, client) => sum + client.errors, 0);
    },
    async close() {
      await Promise.all(all.map((client) => client.end()));
    },
  };
}
