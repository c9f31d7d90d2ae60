// The shape of GET /api/last-known, shared so the server that builds it and the app that
// reads it cannot drift apart.

/** Whose last-known state (a retained message) the broker holds now. */
export interface LastKnownKeys {
  /** Agent ids with a retained `agents/<id>/state`. */
  agents: string[];
  /** `<user>/<client>` of each retained `presence/<user>/<client>`. */
  presence: string[];
}
