/** What a channel's `close()` achieved within its drain deadline. */
export interface ChannelCloseReport {
  /** Whether every accepted message had ended (handled, dead-lettered…) before the deadline. */
  readonly drained: boolean;
  /** Requests left over at the deadline, rejected with `ChannelClosedError` (counted withdrawn). */
  readonly returned: number;
  /** One-way messages left over at the deadline, dead-lettered with `ClosedBeforeDeliveryError`. */
  readonly deadLettered: number;
  /** Messages left in durable storage for the next consumer (always 0 in memory). */
  readonly stored: number;
  /**
   * Messages still held by tasks at the deadline. They settle when their tasks let go: handled if
   * they succeed, otherwise returned or dead-lettered as above. A task its group abandons (past
   * the group's own stop deadline) lets go then, as stopped.
   */
  readonly inFlight: number;
  /**
   * Shared storages only: sends still waiting for the server's confirmation at the deadline. Each
   * ends as `published` or, if the server never confirms it, `withdrawn` with its sender told.
   */
  readonly unconfirmed?: number;
  /**
   * Shared storages only: settlements the storage could not confirm with its server before it
   * closed (for example while the server was unreachable). Those messages stay in the shared
   * store and will be delivered again.
   */
  readonly unacknowledged?: number;
}
