import { randomBytes } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import { connect, type IClientOptions, type MqttClient } from 'mqtt';
import { formatUsername } from '../shared/ids';
import {
  decodePayload,
  type AgentCommand,
  type AgentReply,
  type AgentState,
} from '../shared/schemas';
import { agentInboxTopic, agentRepliesTopic, agentStateTopic } from '../shared/topics';
import {
  followReconnectPolicy,
  neverReconnect,
  RECONNECT_PERIOD_MS,
  stoppedMessage,
  type RefusalMessage,
} from './reconnect-policy';
import { describePhase, nextPhase, restingPhase, type Phase, type Random } from './task-script';

// One simulated agent: an ordinary MQTT 3.1.1 client with permanent credentials. This
// is how a real agent connects to Switchboard: a Last Will for its retained state, the
// retained state itself on every connect, its inbox at QoS 1 and replies at QoS 1.

export interface AgentOptions {
  id: string;
  url: string;
  org: string;
  password: string;
  tickMs: number;
  random: Random;
  log: (line: string) => void;
  /** For the line saying it stopped for good (its credentials refused); `log` if not given. */
  warn?: (line: string) => void;
  /** That line; `stoppedMessage` if not given. */
  refusalMessage?: RefusalMessage;
  /** The wait before reconnecting (reconnect-policy.ts); tests shorten it. */
  reconnectPeriodMs?: number;
}

const KEEPALIVE_S = 30;
const SUBACK_FAILURE = 128; // [MQTT-3.9.3] return code 0x80
const KNOWN_COMMANDS = ['pause', 'resume', 'cancel', 'ping'] as const;

type Outcome = Pick<AgentReply, 'status' | 'detail'>;

export class SimulatedAgent {
  readonly id: string;
  private readonly options: AgentOptions;
  private readonly client: MqttClient;
  private phase: Phase;
  private paused = false;
  private timer: NodeJS.Timeout | undefined;
  private onReady: (() => void) | undefined;
  private onRefused: ((error: Error) => void) | undefined;

  constructor(options: AgentOptions) {
    this.options = options;
    this.id = options.id;
    this.phase = restingPhase(options.random);
    const username = formatUsername(options.id, options.org);
    this.client = connect(options.url, {
      protocolVersion: 4,
      username,
      password: options.password,
      // Unique per process: a client id belongs to its user, and a restarted agent must
      // not be refused while the broker still holds the old connection.
      clientId: `${options.id}-${randomBytes(4).toString('hex')}`,
      clean: true,
      keepalive: KEEPALIVE_S,
      resubscribe: false, // the 'connect' handler subscribes itself
      will: this.will(),
      manualConnect: true,
    });
    // A busy or throttling broker is waited for; a refusal of who we are is final.
    followReconnectPolicy(this.client, {
      periodMs: options.reconnectPeriodMs ?? RECONNECT_PERIOD_MS,
      onRefused: (error) => {
        clearTimeout(this.timer); // nothing to tick for: it will not connect again
        (options.warn ?? options.log)((options.refusalMessage ?? stoppedMessage)(username, error));
        this.onRefused?.(error);
      },
    });
    this.client.on('error', (error) => this.options.log(`${this.id}: ${error.message}`));
    this.client.on('connect', () => void this.onConnect());
    this.client.on('message', (topic, payload) => this.onMessage(topic, payload));
    this.client.on('reconnect', () => {
      this.options.log(`${this.id}: reconnecting`);
      this.client.options.will = this.will(); // mqtt.js builds the next CONNECT from options
    });
  }

  /**
   * The broker publishes this if the connection drops without DISCONNECT. MQTT 3.1.1
   * fixes the will at CONNECT time; Switchboard's broker sets its updatedAt to when it
   * fires (restamp-will.ts), another broker leaves the time of the CONNECT.
   */
  private will(): IClientOptions['will'] {
    const offline: AgentState = { status: 'offline', updatedAt: Date.now() };
    const payload = Buffer.from(JSON.stringify(offline));
    return { topic: agentStateTopic(this.id), payload, qos: 1, retain: true };
  }

  get state(): AgentState {
    return { ...describePhase(this.phase, this.paused), updatedAt: Date.now() };
  }

  get connected(): boolean {
    return this.client.connected;
  }

  /**
   * Resolves once the agent is connected, listening on its inbox and its state is on the
   * broker; rejects if the broker refuses the credentials. Refused later (its password
   * reset, its user removed), it stops and says so, once.
   */
  start(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.onReady = () => {
        this.onRefused = undefined;
        resolve();
      };
      this.onRefused = reject;
      this.client.connect();
      this.scheduleTick();
    });
  }

  /** Clean shutdown: DISCONNECT, so the broker discards the will and the state stays. */
  async stop(): Promise<void> {
    clearTimeout(this.timer);
    neverReconnect(this.client); // also when stopped while it connects
    if (this.client.disconnected) return; // already killed or stopped
    // Forced only when there is no connection to send DISCONNECT on.
    await this.client.endAsync(!this.client.connected);
  }

  /** Simulates a crash: drop the socket without DISCONNECT, so the broker fires the will. */
  kill(): void {
    clearTimeout(this.timer);
    neverReconnect(this.client);
    this.client.end(true);
  }

  private async onConnect(): Promise<void> {
    this.options.log(`${this.id}: connected`);
    try {
      // Clean session: the broker forgot the subscription, so subscribe on every connect.
      const granted = await this.client.subscribeAsync(agentInboxTopic(this.id), { qos: 1 });
      if (granted.some((grant) => grant.qos === SUBACK_FAILURE)) {
        this.options.log(`${this.id}: the broker refused the inbox subscription (check the ACL)`);
      }
    } catch (error) {
      this.options.log(`${this.id}: inbox subscription failed: ${String(error)}`);
    }
    await this.publishState();
    this.onReady?.();
    this.onReady = undefined;
  }

  private scheduleTick(): void {
    // Each tick lasts 1–3 × tickMs so a fleet does not move in lockstep.
    const delayMs = this.options.tickMs * (1 + 2 * this.options.random());
    this.timer = setTimeout(() => {
      if (!this.paused) {
        const before = describePhase(this.phase, false);
        this.phase = nextPhase(this.phase, this.options.random);
        // A resting agent counts ticks silently: its retained state has not changed.
        if (!isDeepStrictEqual(before, describePhase(this.phase, false))) void this.publishState();
      }
      this.scheduleTick();
    }, delayMs);
  }

  /** Never rejects: a state lost to a dropped connection is republished on reconnect. */
  private async publishState(): Promise<void> {
    if (!this.client.connected) return;
    const options = { qos: 1, retain: true } as const;
    try {
      await this.client.publishAsync(agentStateTopic(this.id), JSON.stringify(this.state), options);
    } catch (error) {
      this.options.log(`${this.id}: state not published: ${String(error)}`);
    }
  }

  private reply(commandId: string, outcome: Outcome): void {
    const reply: AgentReply = { commandId, ...outcome };
    this.client.publish(agentRepliesTopic(this.id), JSON.stringify(reply), { qos: 1 });
  }

  private onMessage(topic: string, payload: Buffer): void {
    const decoded = decodePayload(topic, payload);
    if (!decoded.ok || decoded.message.kind !== 'agent-inbox') {
      const why = decoded.ok ? `unexpected ${decoded.message.kind}` : decoded.error;
      this.options.log(`${this.id}: ignored message on ${topic}: ${why}`);
      return;
    }
    const command = decoded.message.value;
    this.options.log(`${this.id}: ${command.command} from ${command.from}`);
    this.reply(command.id, { status: 'accepted' });
    const [phaseBefore, pausedBefore] = [this.phase, this.paused];
    const outcome = this.run(command);
    if (this.phase !== phaseBefore || this.paused !== pausedBefore) void this.publishState();
    this.reply(command.id, outcome);
  }

  private run({ command }: AgentCommand): Outcome {
    switch (command) {
      case 'ping':
        return { status: 'done', detail: 'pong' };
      case 'pause':
        if (this.paused) return { status: 'failed', detail: 'already paused' };
        this.paused = true;
        return { status: 'done', detail: 'paused' };
      case 'resume':
        if (!this.paused) return { status: 'failed', detail: 'not paused' };
        this.paused = false;
        return { status: 'done', detail: 'resumed' };
      case 'cancel': {
        const task = this.phase.kind === 'idle' ? undefined : this.phase.task;
        this.phase = restingPhase(this.options.random);
        this.paused = false;
        return { status: 'done', detail: task ? `cancelled ${task}` : 'nothing to cancel' };
      }
      default:
        return {
          status: 'failed',
          detail: `unknown command "${command}"; known commands: ${KNOWN_COMMANDS.join(', ')}`,
        };
    }
  }
}
