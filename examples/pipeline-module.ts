import 'reflect-metadata';
import { Injectable, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { StageModule, StageRegistry, Supervised, type TaskContext } from 'nestjs-stage';

const untilStopped = ({ signal }: TaskContext) =>
  new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));

/** Every start of the pipeline's tasks, in order. */
@Injectable()
export class Starts {
  readonly seen: string[] = [];
}

@Injectable()
export class Producer {
  constructor(private readonly starts: Starts) {}

  @Supervised()
  run(ctx: TaskContext): Promise<void> {
    this.starts.seen.push('producer');
    return untilStopped(ctx);
  }
}

@Injectable()
export class Consumer {
  private connected = false;

  constructor(private readonly starts: Starts) {}

  /** Fails on its first start, and its group gives up at once: the module's supervisor decides. */
  @Supervised({ intensity: { maxRestarts: 0, withinMs: 1_000 } })
  async run(ctx: TaskContext): Promise<void> {
    this.starts.seen.push('consumer');
    if (!this.connected) {
      this.connected = true;
      throw new Error('cannot connect');
    }
    await untilStopped(ctx);
  }
}

// A producer and its consumer must restart together: one-for-all.
@Module({
  imports: [StageModule.forFeature({ supervisor: { strategy: 'one-for-all' } })],
  providers: [Starts, Producer, Consumer],
})
export class PipelineModule {}

@Module({ imports: [StageModule.forRoot(), PipelineModule] })
export class AppModule {}

export async function main(): Promise<{ starts: string[]; path: string[]; healthy: boolean }> {
  const app = await NestFactory.createApplicationContext(AppModule, { logger: false });
  await new Promise((resolve) => setTimeout(resolve, 100));

  const registry = app.get(StageRegistry);
  const path = [...registry.status('Consumer.run').path];
  const { healthy } = registry.health(); // the module healed itself: the root never stepped in
  const starts = [...app.get(Starts).seen];
  await app.close();
  return { starts, path, healthy }; // starts: producer, consumer, producer, consumer
}
