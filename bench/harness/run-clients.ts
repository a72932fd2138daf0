/**
 * Runs `total` calls through `clients` concurrent callers, each awaiting its previous call before
 * making the next, as request/reply clients do. Resolves when every call has resolved; rejects
 * with the first error.
 */
export async function runClients(options: {
  readonly clients: number;
  readonly total: number;
  readonly call: (index: number) => Promise<unknown>;
}): Promise<void> {
  let next = 0;
  const client = async (): Promise<void> => {
    while (next < options.total) {
      const index = next;
      next += 1;
      await options.call(index);
    }
  };

  const clients: Promise<void>[] = [];
  for (let index = 0; index < Math.min(options.clients, options.total); index += 1) {
    clients.push(client());
  }
  await Promise.all(clients);
}
