import type { AuthenticateError } from 'aedes';

// CONNACK return codes of MQTT 3.1.1 (section 3.2.2.3).
export const CONNACK = {
  identifierRejected: 2,
  serverUnavailable: 3,
  badUsernameOrPassword: 4,
  notAuthorized: 5,
} as const;

export type ConnackRefusal = (typeof CONNACK)[keyof typeof CONNACK];

/** A refused CONNECT: `code` is stable for logs, `returnCode` goes into the CONNACK. */
export class ConnectRefused extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly returnCode: ConnackRefusal,
  ) {
    super(message);
    this.name = 'ConnectRefused';
  }
}

export function toAuthenticateError(error: ConnectRefused): AuthenticateError {
  return Object.assign(new Error(error.message), { returnCode: error.returnCode });
}
