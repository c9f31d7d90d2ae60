import { createContext, useContext } from 'react';
import type { Connection } from './connection';

// Components reach the connection through hooks (publish, ack), never the MQTT client.
export const ConnectionContext = createContext<Connection | null>(null);

export function useConnection(): Connection {
  const connection = useContext(ConnectionContext);
  if (!connection)
    throw new Error('useConnection needs a ConnectionContext provider (the workspace)');
  return connection;
}
