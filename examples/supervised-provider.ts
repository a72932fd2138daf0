import 'reflect-metadata';
import { Injectable, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { StageModule, StageRegistry, Supervised, type TaskContext } from 'nestjs-stage';

@Injectable()
export class OutboxRelay {
  relayed = 0;

  /** Two copies run at once; a crash restarts only the copy that crashed. */
  @Supervised({ size: 2, backoff: { minMs: 10 } })
  async relay({ signal, index, attempt }: TaskContext): Promise<void> {
    if (index === 0 && attempt === 1) throw new Error('the broker hung up');
    while (!signal.aborted) {
      this.relayed++;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }
}

@Module({ imports: [StageModule.forRoot()], providers: [OutboxRelay] })
export class AppModule {}

export async function main(): Promise<{ restarts: number; relayed: number }> {
  const app = await NestFactory.createApplicationContext(AppModule, { logger: false });
  await new Promise((resolve) => setTimeout(resolve, 100));

  const status = app.get(StageRegistry).status('OutboxRelay.relay');
  const relayed = app.get(OutboxRelay).relayed;
  await app.close(); // stops the group in OutboxRelay's destroy phase, waiting for both copies
  return { restarts: status.restarts, relayed };
}
