/** The first degree's queue was closed (the application is shutting down): nobody will reply. */
export class AdderQueueClosedError extends Error {
  constructor() {
    super(
      'The adder queue is closed: the application is shutting down. Retry on another instance.',
    );
    this.name = 'AdderQueueClosedError';
  }
}
