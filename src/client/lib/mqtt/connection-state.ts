// The connection's state as the UI sees it (one pill in the header).
export type ConnectionState =
  | { status: 'connecting' }
  | { status: 'connected' }
  | { status: 'reconnecting'; attempt: number; nextRetryAt: number }
  | { status: 'offline' } // the browser says it has no network; we wait for it to return
  | { status: 'auth-error' } // the broker refused a fresh token too: sign in again
  | { status: 'signed-out' };

export type ConnectionStatus = ConnectionState['status'];
