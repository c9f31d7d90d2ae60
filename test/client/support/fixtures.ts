import type { Session } from '../../../src/client/features/auth/api/get-session';
import type { BrokerToken } from '../../../src/client/lib/mqtt/client-types';

export const ALICE: Session = { user: 'alice', org: 'demo', role: 'member' };

export const TOKEN_TTL_MS = 60 * 60_000;

export function tokenFor(
  user: string,
  clientId: string,
  now = Date.now(),
  ttlMs = TOKEN_TTL_MS,
  password = 'jwt-1',
): BrokerToken {
  return {
    url: 'ws://localhost:3000/mqtt',
    username: `${user}@demo`,
    password,
    clientId,
    issuedAt: now,
    expiresAt: now + ttlMs,
    protocolVersion: 4,
  };
}

export const apiError = (code: string, message: string) => ({ error: { code, message } });

/** A room's address, as the shell gives the room list (view-hash.ts). */
export const roomHref = (room: string) => `#/rooms/${room}`;

/** An agent's address, and the board's, as the shell gives the agents board (view-hash.ts). */
export const agentHref = (agent: string) => `#/agents/${agent}`;
export const BOARD_HREF = '#/agents';
