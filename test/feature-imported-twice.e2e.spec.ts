import { Injectable, Module } from '@nestjs/common';
import {
  type Channel,
  type Delivery,
  getChannelToken,
  StageModule,
  StageRegistry,
  Supervised,
  type TaskContext,
} from 'nestjs-stage';
import { describe, expect, it, vi } from 'vitest';

import { aborted, boot } from './support/boot.js';

describe('StageModule.forFeature imported by several modules', () => {
  it('runs each supervised method exactly once, and handles each message once', async () => {
    const seen: string[] = [];
    let loops = 0;

    @Injectable()
    class Workers {
      @Supervised({ channel: 'jobs', size: 2 })
      handle(body: string, delivery: Delivery<string>): void {
        seen.push(`${body}#${delivery.deliveryCount}`);
      }

      @Supervised()
      async loop({ signal }: TaskContext): Promise<void> {
        loops++;
        await aborted(signal);
      }
    }

    const jobs = StageModule.forFeature({ channels: [{ name: 'jobs' }] });
    @Module({ imports: [jobs], providers: [Workers], exports: [jobs] })
    class WorkerModule {}
    @Module({ imports: [jobs, WorkerModule] })
    class FirstUser {}
    @Module({ imports: [WorkerModule, jobs] })
    class SecondUser {}

    const { app } = await boot({
      imports: [StageModule.forRoot({ logging: false }), FirstUser, SecondUser, WorkerModule, jobs],
    });
    const channel = app.get<Channel<string>>(getChannelToken('jobs'), { strict: false });
    for (const body of ['a', 'b', 'c']) await channel.send(body);
    await vi.waitFor(() => expect(seen).toHaveLength(3));
    await vi.waitFor(() => expect(loops).toBe(1));

    const registry = app.get(StageRegistry);
    expect(registry.list().map((group) => group.name)).toEqual(['Workers.handle', 'Workers.loop']);
    expect(registry.channel('jobs').consumers).toEqual(['Workers.handle']);
    await app.close();
    expect([...seen].sort()).toEqual(['a#1', 'b#1', 'c#1']);
    expect(loops).toBe(1);
    expect(channel.stats()).toMatchObject({ accepted: 3, handled: 3 });
  });
});
