import { validateTopicName } from '../../../shared/topic-filter';

/**
 * Why a publish can never be sent, or null when it can. Checked here, before mqtt.js sees
 * it, because mqtt.js (5.16) does not check a publish's topic name, so no error reaches
 * the publish's callback. It sends a name holding `+` or `#` and the broker closes the
 * connection for it [MQTT-3.3.2-2]. It sends an empty one, which the embedded broker
 * neither acknowledges nor refuses. A name over 65,535 bytes [MQTT-4.7.3-3] makes
 * mqtt-packet throw halfway through writing the packet. Left in the outbox, such an
 * entry would be sent again, with the same result, at every connect. The rules are the
 * shared ones the embedded broker checks every publish against.
 */
export function unsendableReason(topic: string): string | null {
  const error = validateTopicName(topic);
  return error ? `invalid topic name: ${error.message}` : null;
}
