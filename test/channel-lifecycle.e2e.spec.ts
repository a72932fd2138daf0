import {
  Injectable,
  Module,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
  type OnModuleInit,
} from '@nestjs/common';
import {
  type Channel,
  type ChannelDeclaration,
  ChannelClosedError,
  ChannelNotStartedError,
  ClosedBeforeDeliveryError,
  getChannelToken,
  InjectChannel,
  StageModule,
  StageRegistry,
  Supervised,
  type TaskContext,
} from 'nestjs-stage';
import { afterEach, describe, expect, it, vi } from 'vitest';

import { aborted, boot } from './support/boot.js';

interface Operands {
  readonly a: number;
  readonly b: number;
}

type Adder = Channel<Operands, number>;

/** Waits `ms` on the global (fakeable) clock. */
function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

const ADDER: ChannelDeclaration = { name: 'adder', capacity: 2 };

/** What happened, in order, across providers. */
@Injectable()
class Journal {
  readonly entries: string[] = [];
}

/** Adds slowly, one message at a time, and notes each sum. */
@Injectable()
class SlowAdder implements OnModuleDestroy {
  constructor(
    private readonly journal: Journal,
    @InjectChannel('adder') private readonly adder: Adder,
  ) {}

  @Supervised({ channel: 'adder', shutdownTimeoutMs: 120 })
  async add({ a, b }: Operands): Promise<number> {
    await delay(50);
    this.journal.entries.push(`added ${a}+${b}`);
    return a + b;
  }

  onModuleDestroy(): void {
    this.journal.entries.push(`adder destroyed, channel ${this.adder.state.kind}`);
  }
}

afterEach(() => {
  vi.useRealTimers();
});

describe('channels across the application lifecycle', () => {
  describe('at bootstrap', () => {
    it('buffers messages sent before the consumers start and handles them once they do', async () => {
      @Injectable()
      class EarlyProducer implements OnModuleInit {
        replies: Promise<number>[] = [];

        constructor(@InjectChannel('adder') private readonly adder: Adder) {}

        onModuleInit(): void {
          this.replies = [this.adder.request({ a: 1, b: 2 }), this.adder.request({ a: 3, b: 4 })];
        }
      }
      @Injectable()
      class FastAdder {
        @Supervised({ channel: 'adder' })
        add({ a, b }: Operands): number {
          return a + b;
        }
      }

      const { app } = await boot({
        imports: [
          StageModule.forRoot({ logging: false }),
          StageModule.forFeature({ channels: [ADDER] }),
        ],
        providers: [EarlyProducer, FastAdder],
      });

      await expect(Promise.all(app.get(EarlyProducer).replies)).resolves.toEqual([3, 7]);
      await app.close();
    });

    it('refuses a send that would wait before the consumers start, so the bootstrap cannot deadlock', async () => {
      @Injectable()
      class EagerProducer implements OnApplicationBootstrap {
        refused: unknown;

        constructor(@InjectChannel('adder') private readonly adder: Adder) {}

        async onApplicationBootstrap(): Promise<void> {
          await this.adder.send({ a: 1, b: 1 });
          await this.adder.send({ a: 2, b: 2 });
          // The channel is full and nothing consumes it yet: waiting would hang the bootstrap.
          this.refused = await this.adder.send({ a: 3, b: 3 }).catch((error: unknown) => error);
        }
      }
      /** Bootstraps before the root module, whose consumer then starts. */
      @Module({
        imports: [StageModule.forFeature({ channels: [ADDER] })],
        providers: [EagerProducer],
        exports: [EagerProducer],
      })
      class ProducerModule {}
      @Injectable()
      class CountingAdder {
        readonly sums: number[] = [];

        @Supervised({ channel: 'adder' })
        add({ a, b }: Operands): void {
          this.sums.push(a + b);
        }
      }

      const { app } = await boot({
        imports: [
          StageModule.forRoot({ logging: false }),
          StageModule.forFeature({ channels: [ADDER] }),
          ProducerModule,
        ],
        providers: [CountingAdder],
      });

      const refused = app.get(EagerProducer).refused;
      expect(refused).toBeInstanceOf(ChannelNotStartedError);
      expect(refused).toMatchObject({ channel: 'adder', capacity: 2 });
      await vi.waitFor(() => expect(app.get(CountingAdder).sums).toEqual([2, 4]));
      await app.close();
    });
  });

  describe('at shutdown', () => {
    async function bootSlowAdder() {
      const booted = await boot({
        imports: [
          StageModule.forRoot(),
          StageModule.forFeature({ channels: [{ name: 'adder', capacity: 16 }] }),
        ],
        providers: [Journal, SlowAdder],
      });
      const adder = booted.app.get<Adder>(getChannelToken('adder'), { strict: false });
      return { ...booted, adder, journal: booted.app.get(Journal) };
    }

    it('lets the consumer drain its channel as it stops, before its provider is destroyed', async () => {
      vi.useFakeTimers();
      const { app, adder, journal, logs } = await bootSlowAdder();
      const replies = [adder.request({ a: 1, b: 1 }), adder.request({ a: 2, b: 2 })];
      await vi.advanceTimersByTimeAsync(10);

      const closing = app.close();
      await vi.advanceTimersByTimeAsync(1);
      const late = adder.send({ a: 9, b: 9 }).catch((error: unknown) => error);
      await vi.advanceTimersByTimeAsync(200);
      await closing;

      await expect(Promise.all(replies)).resolves.toEqual([2, 4]);
      expect(await late).toBeInstanceOf(ChannelClosedError);
      expect(journal.entries).toEqual([
        'added 1+1',
        'added 2+2',
        'adder destroyed, channel closed',
      ]);
      expect(logs.under('Stage', 'log').map((entry) => entry.message)).toContain(
        'Channel "adder" drained and closed.',
      );
      expect(adder.stats()).toMatchObject({ accepted: 2, handled: 2, withdrawn: 0 });
    });

    it('returns what is left at the deadline to its senders and logs it', async () => {
      vi.useFakeTimers();
      const { app, adder, logs } = await bootSlowAdder();
      const settled: string[] = [];
      const replies = [1, 2, 3, 4, 5].map((a) =>
        adder.request({ a, b: 0 }).then(
          (sum) => settled.push(`${a}: ${sum}`),
          (error: Error) => settled.push(`${a}: ${error.name}`),
        ),
      );
      await vi.advanceTimersByTimeAsync(10);

      const closing = app.close();
      await vi.advanceTimersByTimeAsync(200);
      await closing;
      await Promise.all(replies);

      // 3 was in the slow handler's hands past the group's deadline: its task was abandoned, and
      // its request returned, rather than left waiting on a handler that may never finish.
      expect(settled).toEqual([
        '1: 1',
        '2: 2',
        '4: ChannelClosedError',
        '5: ChannelClosedError',
        '3: ChannelClosedError',
      ]);
      expect(logs.under('Stage', 'warn').map((entry) => entry.message)).toContain(
        'Channel "adder" closed before it drained: 2 requests returned to their senders ' +
          "(ChannelClosedError), 1 message still in a handler's hands (handled if it " +
          "finishes before its group's deadline, otherwise returned or dead-lettered).",
      );
      expect(adder.stats()).toMatchObject({ accepted: 5, handled: 2, withdrawn: 3, inFlight: 0 });
    });

    it('leaves the drain to the last consumer when several groups consume one channel', async () => {
      /** Consumes in the root module, destroyed first. */
      @Injectable()
      class FirstConsumer implements OnModuleDestroy {
        constructor(
          private readonly journal: Journal,
          @InjectChannel('adder') private readonly adder: Adder,
        ) {}

        @Supervised({ channel: 'adder' })
        add({ a, b }: Operands): number {
          return a + b;
        }

        onModuleDestroy(): void {
          this.journal.entries.push(`first destroyed, channel ${this.adder.state.kind}`);
        }
      }
      @Module({
        imports: [StageModule.forFeature({ channels: [ADDER] })],
        providers: [Journal, SlowAdder],
        exports: [Journal],
      })
      class SlowModule {}

      const { app } = await boot({
        imports: [
          StageModule.forRoot({ logging: false }),
          StageModule.forFeature({ channels: [ADDER] }),
          SlowModule,
        ],
        providers: [FirstConsumer],
      });
      const adder = app.get<Adder>(getChannelToken('adder'), { strict: false });
      await vi.waitFor(() => expect(adder.state.kind).toBe('open'));
      await app.close();

      expect(app.get(Journal).entries).toEqual([
        'first destroyed, channel open',
        'adder destroyed, channel closed',
      ]);
    });

    it('does not wait on a drain when the last consumer was stopped by hand', async () => {
      vi.useFakeTimers();
      const { app, adder } = await bootSlowAdder();
      await vi.advanceTimersByTimeAsync(10);
      await app.get(StageRegistry).stop('SlowAdder.add');
      const reply = adder.request({ a: 1, b: 1 }).catch((error: unknown) => error);
      let closed = false;

      void app.close().then(() => (closed = true));
      await vi.advanceTimersByTimeAsync(1);

      expect(closed).toBe(true);
      expect(await reply).toBeInstanceOf(ChannelClosedError);
    });

    it('does not wait on a drain when every consumer task waits out a long backoff', async () => {
      vi.useFakeTimers();
      @Injectable()
      class Hangs {
        calls = 0;

        @Supervised({
          channel: 'adder',
          handlerTimeoutMs: 20,
          backoff: { minMs: 60_000, maxMs: 60_000 },
          shutdownTimeoutMs: 3_000,
        })
        async add(): Promise<number> {
          this.calls++;
          return new Promise(() => {});
        }
      }
      const { app } = await boot({
        imports: [StageModule.forRoot(), StageModule.forFeature({ channels: [ADDER] })],
        providers: [Hangs],
      });
      const adder = app.get<Adder>(getChannelToken('adder'), { strict: false });
      void adder.send({ a: 0, b: 0 });
      await vi.advanceTimersByTimeAsync(30); // hung, replaced: the only task's restart is 60 s away
      expect(app.get(Hangs).calls).toBe(1);
      const reply = adder.request({ a: 1, b: 1 }).catch((error: unknown) => error);
      let closed = false;

      void app.close().then(() => (closed = true));
      await vi.advanceTimersByTimeAsync(1);

      expect(closed).toBe(true);
      expect(await reply).toBeInstanceOf(ChannelClosedError);
    });

    it("returns a request whose handler hangs past the group's deadline, so no sender waits forever", async () => {
      vi.useFakeTimers();
      @Injectable()
      class Hung {
        @Supervised({ channel: 'adder', shutdownTimeoutMs: 50 })
        add(): Promise<number> {
          return new Promise(() => {});
        }
      }
      const { app } = await boot({
        imports: [StageModule.forRoot(), StageModule.forFeature({ channels: [ADDER] })],
        providers: [Hung],
      });
      const adder = app.get<Adder>(getChannelToken('adder'), { strict: false });
      const reply = adder.request({ a: 1, b: 1 }).catch((error: unknown) => error);
      await vi.advanceTimersByTimeAsync(10);
      expect(adder.stats().inFlight).toBe(1);

      const closing = app.close();
      await vi.advanceTimersByTimeAsync(60);
      await closing;

      expect(await reply).toBeInstanceOf(ChannelClosedError);
      expect(adder.stats()).toMatchObject({ accepted: 1, withdrawn: 1, inFlight: 0 });
    });

    it('closes a channel nobody consumes once everything stopped, reporting what was left', async () => {
      const { app, logs } = await boot({
        imports: [
          StageModule.forRoot(),
          StageModule.forFeature({ channels: [{ name: 'outbox' }] }),
        ],
      });
      const outbox = app.get<Channel<string, string>>(getChannelToken('outbox'), {
        strict: false,
      });
      const reply = outbox.request('ping');
      await outbox.send('fire and forget');

      await app.close();

      await expect(reply).rejects.toThrow(ChannelClosedError);
      expect(outbox.deadLetters()).toEqual([
        expect.objectContaining({
          body: 'fire and forget',
          error: expect.any(ClosedBeforeDeliveryError),
        }),
      ]);
      expect(logs.under('Stage', 'warn').map((entry) => entry.message)).toEqual([
        'Channel "outbox" closed before it drained: 1 request returned to its sender ' +
          '(ChannelClosedError), 1 one-way message dead-lettered.',
      ]);
      expect(app.get(StageRegistry).channel('outbox').state.kind).toBe('closed');
    });

    it('stops the groups of one provider in reverse declaration order', async () => {
      @Injectable()
      class TwoLoops {
        @Supervised()
        async first({ signal }: TaskContext): Promise<void> {
          await aborted(signal);
        }

        @Supervised()
        async second({ signal }: TaskContext): Promise<void> {
          await aborted(signal);
        }
      }
      const { app } = await boot({
        imports: [StageModule.forRoot({ logging: false })],
        providers: [TwoLoops],
      });
      const stopped: string[] = [];
      app.get(StageRegistry).events$.subscribe((event) => {
        if (event.type === 'stopped' && 'group' in event) stopped.push(event.group);
      });

      await app.close();

      expect(stopped).toEqual(['TwoLoops.second', 'TwoLoops.first']);
    });
  });
});
