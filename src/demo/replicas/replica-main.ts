import 'reflect-metadata';

import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { AddressInfo } from 'node:net';
import { RedisChannelStorage } from 'nestjs-stage/redis';

import type { Operands } from '../../adder/addition.js';
import { AppModule } from '../../app.module.js';
import { readReplicaCounters } from './replica-counters.js';
import { COUNTERS_EVERY_MS, isReplicaCommand, type ReplicaMessage } from './replica-protocol.js';
import { readReplicaSettings } from './replica-settings.js';

/**
 * One replica of the Redis demo, in a process of its own, started by the demo with an IPC
 * channel (`npm run demo -- --redis`): the demo application with the second degree's `adder`
 * channel on Redis, shared with the other replicas, and no pipeline.
 *
 * It listens on a free port of 127.0.0.1 and says so (`ready`), sends its counters every
 * `COUNTERS_EVERY_MS`, and on `close` closes the application gracefully (the channel drains what
 * this replica holds and hands back the rest), sends its final counters (`closed`) and exits. If
 * the demo goes away first (the IPC channel closes), it closes and exits too. Its logs (warnings
 * and errors) go to its standard streams, which the demo prints with the replica's number.
 */
async function main(): Promise<void> {
  const send = process.send?.bind(process);
  if (send === undefined) {
    throw new Error(
      'A replica is started by the demo, with an IPC channel: npm run demo -- --redis',
    );
  }
  const tell = (message: ReplicaMessage): void => {
    if (process.connected) send(message);
  };
  const settings = readReplicaSettings(process.env);
  const storage = new RedisChannelStorage<Operands>({
    connection: settings.redisUrl,
    keyPrefix: settings.keyPrefix,
    // A killed replica's messages come back after this idle time: it must stay well under the
    // requests' timeout (10 s), unlike the default (30 s), made for replicas that restart.
    claimIdleMs: settings.claimIdleMs,
  });
  const app = await NestFactory.create(
    AppModule.forRoot({
      crashRate: settings.crashRate,
      seed: settings.seed,
      addWorkMs: settings.addWorkMs,
      adderStorage: storage,
      pipeline: false,
    }),
    { logger: ['fatal', 'error', 'warn'], forceCloseConnections: true },
  );
  await app.listen(0, '127.0.0.1');
  tell({
    kind: 'ready',
    url: `http://127.0.0.1:${listeningPort(app)}`,
    consumer: storage.consumer,
  });

  const reporting = setInterval(
    () => tell({ kind: 'counters', counters: readReplicaCounters(app) }),
    COUNTERS_EVERY_MS,
  );
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> =>
    (closing ??= (async () => {
      clearInterval(reporting);
      await app.close();
      tell({ kind: 'closed', counters: readReplicaCounters(app) });
      if (process.connected) process.disconnect();
    })());
  process.on('message', (command: unknown) => {
    if (isReplicaCommand(command)) void close().catch(fail);
  });
  process.once('disconnect', () => void close().catch(fail));
}

function listeningPort(app: INestApplication): number {
  const address: unknown = app.getHttpServer().address();
  return (address as AddressInfo).port;
}

/** Reports a replica that could not start or close, and ends its process. */
function fail(error: unknown): void {
  const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
  console.error(message);
  const failed: ReplicaMessage = { kind: 'failed', message };
  if (process.connected && process.send !== undefined) process.send(failed, () => process.exit(1));
  else process.exit(1);
}

main().catch(fail);
