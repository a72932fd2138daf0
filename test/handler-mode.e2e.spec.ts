import { setTimeout as sleep } from 'node:timers/promises';

import { Injectable } from '@nestjs/common';
import {
  Channel,
  type ChannelDeclaration,
  DeadLetteredError,
  type Delivery,
  getChannelToken,
  InjectChannel,
  InvalidOptionError,
  RequestTimeoutError,
  StageModule,
  StageRegistry,
  Supervised,
  type TaskContext,
} from 'nestjs-stage';
import { describe, expect, it, vi } from 'vitest';

import { boot } from './support/boot.js';

interface Operands {
  readonly a: number;
  readonly b: number;
}

/** Redelivers at once, so that tests need no clock. */
const ADDER: ChannelDeclaration = {
  name: 'adder',
  maxDeliveries: 3,
  redelivery: { minMs: 0, maxMs: 0 },
};

function adderOf(app: { get: (token: string, options: { strict: false }) => unknown }) {
  return app.get(getChannelToken('adder'), { strict: false }) as Channel<Operands, number>;
}

async function bootWith(providers: unknown[]) {
  return boot({
    imports: [
      StageModule.forRoot({ logging: false }),
      StageModule.forFeature({ channels: [ADDER] }),
    ],
    providers: providers as never[],
  });
}

describe('@Supervised({ channel })', () => {
  it('calls the method once per message and replies with its return value', async () => {
    @Injectable()
    class Workers {
      readonly seen: number[] = [];

      @Supervised({ channel: 'adder', size: 4 })
      async add({ a, b }: Operands, delivery: Delivery<Operands, number>): Promise<number> {
        this.seen.push(delivery.deliveryCount);
        await sleep(1);
        return a + b;
      }
    }
    const { app } = await bootWith([Workers]);
    const adder = adderOf(app);

    const sums = await Promise.all(
      Array.from({ length: 20 }, (_, index) => adder.request({ a: index, b: 1 })),
    );

    expect(sums).toEqual(Array.from({ length: 20 }, (_, index) => index + 1));
    expect(app.get(Workers).seen).toEqual(Array.from({ length: 20 }, () => 1));
    expect(app.get(StageRegistry).status('Workers.add').size).toBe(4);
    await app.close();
  });

  it('redelivers a message whose handler threw, and keeps consuming meanwhile', async () => {
    @Injectable()
    class Flaky {
      readonly deliveries: string[] = [];

      @Supervised({ channel: 'adder' })
      add({ a, b }: Operands, delivery: Delivery<Operands, number>): number {
        this.deliveries.push(`${a}+${b}#${delivery.deliveryCount}`);
        if (a === 1 && delivery.deliveryCount === 1) throw new Error('crashed on 1');
        return a + b;
      }
    }
    const { app } = await bootWith([Flaky]);
    const adder = adderOf(app);

    const [first, second] = await Promise.all([
      adder.request({ a: 1, b: 1 }),
      adder.request({ a: 2, b: 2 }),
    ]);

    expect([first, second]).toEqual([2, 4]);
    expect(app.get(Flaky).deliveries).toEqual(['1+1#1', '2+2#1', '1+1#2']);
    const status = app.get(StageRegistry).status('Flaky.add');
    expect(status.restarts).toBe(0);
    expect(status.state.kind).toBe('running');
    await app.close();
  });

  it('dead-letters a message that fails every delivery and rejects its request with the cause', async () => {
    @Injectable()
    class Broken {
      @Supervised({ channel: 'adder' })
      add(): number {
        throw new Error('always broken');
      }
    }
    const { app } = await bootWith([Broken]);
    const adder = adderOf(app);

    const request = adder.request({ a: 1, b: 2 });

    await expect(request).rejects.toThrow(DeadLetteredError);
    await expect(request).rejects.toMatchObject({ cause: { message: 'always broken' } });
    expect(adder.deadLetters()).toEqual([
      expect.objectContaining({ body: { a: 1, b: 2 }, deliveryCount: 3 }),
    ]);
    await app.close();
  });

  it('logs each dead letter with its error', async () => {
    @Injectable()
    class Rejecting {
      @Supervised({ channel: 'adder' })
      add({ a }: Operands): number {
        throw new Error(`cannot add ${a}`);
      }
    }
    const { app, logs } = await boot({
      imports: [StageModule.forRoot(), StageModule.forFeature({ channels: [ADDER] })],
      providers: [Rejecting],
    });
    const adder = adderOf(app);

    const id = await adder.send({ a: 7, b: 0 });
    await vi.waitFor(() => expect(adder.deadLetters()).toHaveLength(1));

    expect(logs.under('Stage', 'warn').map((entry) => entry.message)).toEqual([
      `Channel "adder" dead-lettered message ${id} after 3 failed deliveries: cannot add 7`,
    ]);
    await app.close();
  });

  it('logs the first failed delivery with its stack and sums up the rest once per window', async () => {
    @Injectable()
    class Rejecting {
      @Supervised({ channel: 'adder' })
      add({ a }: Operands): number {
        throw new Error(`cannot add ${a}`);
      }
    }
    const { app, logs } = await boot({
      imports: [StageModule.forRoot(), StageModule.forFeature({ channels: [ADDER] })],
      providers: [Rejecting],
    });
    const adder = adderOf(app);

    const id = await adder.send({ a: 7, b: 0 });
    await vi.waitFor(() => expect(adder.deadLetters()).toHaveLength(1));

    const errors = logs.under('Stage', 'error');
    expect(errors.map((entry) => entry.message)).toEqual([
      `Channel "adder": delivery 1 of message ${id} failed, redelivering in 0 ms: cannot add 7`,
    ]);
    expect(errors[0]?.stack).toContain('Error: cannot add 7');
    await app.close();
    expect(logs.under('Stage', 'warn').map((entry) => entry.message)).toContain(
      'Channel "adder": 1 more failed delivery in the last 5 s, last: cannot add 7',
    );
  });

  it('logs, with its stack, a handler error that comes after its requester stopped waiting', async () => {
    vi.useFakeTimers();
    try {
      @Injectable()
      class SlowThenBroken {
        @Supervised({ channel: 'adder' })
        async add({ a }: Operands): Promise<number> {
          await new Promise((resolve) => setTimeout(resolve, 300));
          throw new Error(`database write for order-${a} failed`);
        }
      }
      const { app, logs } = await boot({
        imports: [StageModule.forRoot(), StageModule.forFeature({ channels: [ADDER] })],
        providers: [SlowThenBroken],
      });
      const adder = adderOf(app);
      const withdrawn: unknown[] = [];
      adder.on((event) => {
        if (event.type === 'withdrawn') withdrawn.push(event.error);
      });

      const request = adder.request({ a: 42, b: 0 }, { timeoutMs: 100 }).catch((error) => error);
      await vi.advanceTimersByTimeAsync(400);

      expect(await request).toBeInstanceOf(RequestTimeoutError);
      expect(withdrawn).toEqual([
        expect.objectContaining({ message: 'database write for order-42 failed' }),
      ]);
      const errors = logs.under('Stage', 'error');
      expect(errors.map((entry) => entry.message)).toEqual([
        expect.stringMatching(
          /^Channel "adder": request \S+ failed after its requester stopped waiting \(timed out or gone\), so it is withdrawn, not redelivered: database write for order-42 failed$/,
        ),
      ]);
      expect(errors[0]?.stack).toContain('database write for order-42 failed');
      expect(adder.stats()).toMatchObject({ withdrawn: 1, handled: 0, redeliveries: 0 });
      await app.close();
    } finally {
      vi.useRealTimers();
    }
  });

  it('replaces a task whose handler exceeds handlerTimeoutMs', async () => {
    vi.useFakeTimers();
    try {
      @Injectable()
      class Hanging {
        calls = 0;

        @Supervised({
          channel: 'adder',
          handlerTimeoutMs: 1_000,
          backoff: { minMs: 0, maxMs: 0 },
        })
        async add({ a, b }: Operands): Promise<number> {
          this.calls++;
          if (this.calls === 1) await new Promise(() => undefined);
          return a + b;
        }
      }
      const { app } = await bootWith([Hanging]);
      const adder = adderOf(app);

      const request = adder.request({ a: 20, b: 22 });
      await vi.advanceTimersByTimeAsync(999);
      expect(app.get(Hanging).calls).toBe(1);
      await vi.advanceTimersByTimeAsync(10);

      await expect(request).resolves.toBe(42);
      expect(app.get(StageRegistry).status('Hanging.add').restarts).toBe(1);
      await app.close();
    } finally {
      vi.useRealTimers();
    }
  });

  it('rejects handlerTimeoutMs on a method without a channel, naming the method', async () => {
    @Injectable()
    class Looping {
      @Supervised({ handlerTimeoutMs: 10 } as never)
      async run(): Promise<void> {}
    }
    const { app } = await boot(
      { imports: [StageModule.forRoot()], providers: [Looping] },
      { init: false },
    );

    const init = app.init();
    await expect(init).rejects.toThrow(InvalidOptionError);
    await expect(init).rejects.toThrow('Invalid option "handlerTimeoutMs" for Looping@run');
    await app.close();
  });

  it('rejects a bad handlerTimeoutMs with an error naming the method', async () => {
    @Injectable()
    class Impatient {
      @Supervised({ channel: 'adder', handlerTimeoutMs: 0 })
      add({ a, b }: Operands): number {
        return a + b;
      }
    }
    const { app } = await boot(
      {
        imports: [StageModule.forRoot(), StageModule.forFeature({ channels: [ADDER] })],
        providers: [Impatient],
      },
      { init: false },
    );

    await expect(app.init()).rejects.toThrow(
      'Invalid option "handlerTimeoutMs" for Impatient@add: expected a finite number > 0',
    );
    await app.close();
  });

  it('accepts only handler-shaped methods with a channel, and task-shaped ones without', () => {
    class Shapes {
      // @ts-expect-error a handler needs a channel
      @Supervised({ size: 1 })
      handler(_body: Operands, _delivery: Delivery<Operands, number>): number {
        return 0;
      }

      @Supervised({ channel: 'adder' })
      reply(_body: Operands, _delivery: Delivery<Operands, number>): number {
        return 0;
      }

      @Supervised()
      async task(_ctx: TaskContext): Promise<void> {}
    }
    expect(Shapes).toBeTypeOf('function');
  });
});

describe('loop mode', () => {
  it('lets a supervised method consume an injected channel with consume(ctx)', async () => {
    @Injectable()
    class Looper {
      readonly handled: string[] = [];

      constructor(@InjectChannel('adder') private readonly adder: Channel<Operands, number>) {}

      @Supervised({ backoff: { minMs: 0, maxMs: 0 } })
      async run(ctx: TaskContext): Promise<void> {
        for await (const delivery of this.adder.consume(ctx)) {
          const { a, b } = delivery.body;
          this.handled.push(`${a}+${b}#${delivery.deliveryCount}@${ctx.attempt}`);
          if (a === 0 && delivery.deliveryCount === 1) throw new Error('loop crashed');
          delivery.ack(a + b);
        }
      }
    }
    const { app } = await bootWith([Looper]);
    const adder = adderOf(app);

    await expect(adder.request({ a: 0, b: 5 })).resolves.toBe(5);
    await expect(adder.request({ a: 1, b: 5 })).resolves.toBe(6);

    expect(app.get(Looper).handled).toEqual(['0+5#1@1', '0+5#2@2', '1+5#1@2']);
    await app.close();
  });
});
