import { Injectable } from '@nestjs/common';
import {
  type StageEvent,
  StageModule,
  StageRegistry,
  Supervised,
  type TaskContext,
} from 'nestjs-stage';
import { describe, expect, it, vi } from 'vitest';

import { aborted, boot } from './support/boot.js';

@Injectable()
class Worker {
  attempts = 0;

  @Supervised({ backoff: { minMs: 0, maxMs: 0 } })
  async run({ signal }: TaskContext): Promise<void> {
    this.attempts++;
    if (this.attempts === 1) throw new Error('first run fails');
    await aborted(signal);
  }
}

describe('StageRegistry.events$', () => {
  it('carries every group event as it happens, with the group path from the root', async () => {
    const { app } = await boot(
      { imports: [StageModule.forRoot({ logging: false })], providers: [Worker] },
      { init: false },
    );
    const events: StageEvent[] = [];
    app.get(StageRegistry).events$.subscribe((event) => events.push(event));

    await app.init();
    await vi.waitFor(() => expect(app.get(Worker).attempts).toBe(2));
    await app.close();

    const path = ['root', 'RootTestModule', 'Worker.run'];
    const base = { group: 'Worker.run', path, index: 0 };
    expect(events.filter((event) => 'group' in event)).toEqual([
      { type: 'started', ...base, attempt: 1 },
      { type: 'failed', ...base, attempt: 1, error: new Error('first run fails') },
      { type: 'restarting', ...base, attempt: 2, delayMs: 0, failures: 1 },
      { type: 'started', ...base, attempt: 2 },
      { type: 'task-stopped', ...base, attempt: 2 },
      {
        type: 'stopped',
        group: 'Worker.run',
        path,
        report: { settled: 1, abandoned: [], clean: true },
      },
    ]);
  });

  it("carries the supervisors' events, each with its path", async () => {
    const { app } = await boot(
      { imports: [StageModule.forRoot({ logging: false })], providers: [Worker] },
      { init: false },
    );
    const events: StageEvent[] = [];
    app.get(StageRegistry).events$.subscribe((event) => events.push(event));

    await app.init();
    await app.close();

    const supervised = events.flatMap((event) =>
      'supervisor' in event ? [[event.path.join('/'), event.type]] : [],
    );
    expect(supervised).toEqual([
      ['root', 'child-added'],
      ['root/RootTestModule', 'child-added'],
      ['root', 'started'],
      ['root/RootTestModule', 'started'],
      ['root/RootTestModule', 'child-started'],
      ['root', 'child-started'],
      ['root/RootTestModule', 'child-stopped'],
      ['root/RootTestModule', 'stopped'],
      ['root', 'stopped'],
    ]);
  });

  it('completes once the application has shut down', async () => {
    const { app } = await boot({ imports: [StageModule.forRoot()], providers: [Worker] });
    const registry = app.get(StageRegistry);
    let completed = false;
    const types: string[] = [];
    registry.events$.subscribe({
      next: (event) => types.push(event.type),
      complete: () => {
        completed = true;
      },
    });

    await app.close();

    expect(completed).toBe(true);
    expect(types.at(-1)).toBe('stopped');
  });

  it('completes at once for a subscriber that arrives after shutdown', async () => {
    const { app } = await boot({ imports: [StageModule.forRoot()], providers: [Worker] });
    await app.close();
    const complete = vi.fn();

    app.get(StageRegistry).events$.subscribe({ complete });

    expect(complete).toHaveBeenCalledTimes(1);
  });
});
