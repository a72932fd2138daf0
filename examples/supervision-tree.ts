import { Supervisor, TaskGroup, type TaskContext } from 'nestjs-stage/core';

const untilStopped = ({ signal }: TaskContext) =>
  new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));

export async function main(): Promise<string[]> {
  const starts: string[] = [];

  // A producer and its consumer must restart together: one-for-all.
  const pipeline = new Supervisor({ name: 'pipeline', strategy: 'one-for-all' });
  pipeline.add(
    new TaskGroup({
      name: 'producer',
      task: (ctx) => (starts.push('producer'), untilStopped(ctx)),
    }),
  );
  pipeline.add(
    new TaskGroup({
      name: 'consumer',
      // Fails at once on every start: past its restart intensity the group gives up, and its
      // supervisor restarts both children, producer first.
      task: () => (starts.push('consumer'), Promise.reject(new Error('cannot connect'))),
      backoff: { minMs: 0 },
      intensity: { maxRestarts: 0, withinMs: 1_000 },
    }),
  );

  pipeline.start();
  await new Promise((resolve) => setTimeout(resolve, 50));
  await pipeline.stop();
  return starts; // producer, consumer, producer, consumer, ... until the supervisor gives up
}
