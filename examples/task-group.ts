import { TaskGroup, type TaskContext } from 'nestjs-stage/core';

/** A worker that crashes on its first two attempts, then runs until it is told to stop. */
async function flakyWorker(ctx: TaskContext): Promise<void> {
  if (ctx.attempt <= 2) throw new Error(`attempt ${ctx.attempt} crashed`);
  await new Promise((resolve) => ctx.signal.addEventListener('abort', resolve, { once: true }));
}

export async function main(): Promise<string[]> {
  const seen: string[] = [];
  const group = new TaskGroup({
    name: 'flaky',
    task: flakyWorker,
    backoff: { minMs: 10, maxMs: 100 },
  });
  group.on((event) => seen.push(event.type));

  group.start();
  await new Promise((resolve) => setTimeout(resolve, 200));
  const report = await group.stop({ timeoutMs: 1_000 });

  console.log(group.status().restarts, 'restarts;', report.clean ? 'stopped cleanly' : report);
  // started, failed, restarting, started, failed, restarting, started, task-stopped, stopped
  return seen;
}
