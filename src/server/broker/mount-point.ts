// Organisation isolation by mount points (as EMQX and VerneMQ do): every topic a client
// names is rewritten under its org's namespace on the way in and stripped on the way out,
// so no client can name, subscribe to or receive another org's topics.
//
//   chat/general/messages  ⇄  $demo/chat/general/messages
//   $SYS/stats/clients     ⇄  $demo/$SYS/stats/clients
//
// The `$` makes a mounted topic unmistakable: a client-side topic starts with `$` only as
// `$SYS/`, and org ids are lowercase. Org ids never hold `/`, `+` or `#`, so a mounted
// filter only ever matches inside its own org.

const SYS_PREFIX = '$SYS/';

const mountPrefix = (org: string) => `$${org}/`;

export function mountTopic(org: string, topic: string): string {
  return mountPrefix(org) + topic;
}

export function isMounted(topic: string): boolean {
  return topic.startsWith('$') && !topic.startsWith(SYS_PREFIX);
}

/** The client-side topic, or null when the topic is not inside `org`'s mount point. */
export function unmountTopic(org: string, topic: string): string | null {
  const prefix = mountPrefix(org);
  return topic.startsWith(prefix) ? topic.slice(prefix.length) : null;
}

/** The org a mounted topic belongs to, or null for the broker's own topics. */
export function orgOfMountedTopic(topic: string): string | null {
  if (!isMounted(topic)) return null;
  const slash = topic.indexOf('/');
  return slash > 1 ? topic.slice(1, slash) : null;
}

// A client id belongs to one user in one org: sessions, takeovers and wills are keyed by
// this, so reusing someone else's client id reaches only your own session. `:` cannot
// occur in org or user ids, so the prefix is unambiguous whatever id the client chose.
export function mountClientId(org: string, user: string, clientId: string): string {
  return `${org}:${user}:${clientId}`;
}

/** The inverse of mountClientId: `<org>:<user>:<client id>`. */
export function parseMountedClientId(
  mounted: string,
): { org: string; user: string; clientId: string } | null {
  const first = mounted.indexOf(':');
  const second = mounted.indexOf(':', first + 1);
  if (first < 1 || second < first + 2) return null;
  return {
    org: mounted.slice(0, first),
    user: mounted.slice(first + 1, second),
    clientId: mounted.slice(second + 1),
  };
}

// Denied publishes are acknowledged and routed here, where no mounted filter can reach:
// MQTT 3.1.1 has no way to tell the client, and closing the connection would make a
// well-behaved app retry the same message forever [MQTT-3.3.5-2].
export const DISCARD_TOPIC = '$SYS/discarded';

/** Acknowledged but routed nowhere [MQTT-3.3.5-2]; see DISCARD_TOPIC. */
export function discard(packet: { topic: string; retain: boolean }): void {
  packet.topic = DISCARD_TOPIC;
  packet.retain = false;
}
