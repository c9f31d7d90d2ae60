import type { Broker } from '../broker/broker';
import { ApiError } from './errors';
import type { HttpDeps } from './http-deps';

/** The embedded broker, or a 503 when this server runs without one (HttpDeps.broker). */
export function requireBroker(deps: HttpDeps): Broker {
  if (!deps.broker) {
    throw new ApiError(
      503,
      'broker_unavailable',
      'this server runs without the embedded broker; ask the MQTT cluster instead',
    );
  }
  return deps.broker;
}
