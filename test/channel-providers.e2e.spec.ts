import { Injectable, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import {
  Channel,
  type ChannelDeclaration,
  DuplicateChannelError,
  getChannelToken,
  InjectChannel,
  InvalidOptionError,
  isStageError,
  StageModule,
  Supervised,
  UnknownChannelError,
} from 'nestjs-stage';
import { describe, expect, it } from 'vitest';

import { boot } from './support/boot.js';
import { CaptureLogger } from './support/capture-logger.js';

interface Operands {
  readonly a: number;
  readonly b: number;
}

const ADDER: ChannelDeclaration = { name: 'adder', capacity: 8 };

/** Sends to the adder channel. */
@Injectable()
class Producer {
  constructor(@InjectChannel('adder') readonly adder: Channel<Operands, number>) {}
}

/** Answers the adder channel in handler mode. */
@Injectable()
class Workers {
  @Supervised({ channel: 'adder', size: 2 })
  add({ a, b }: Operands): number {
    return a + b;
  }
}

describe('StageModule.forFeature', () => {
  describe('channels', () => {
    it('provides each declared channel under its token, injectable with @InjectChannel', async () => {
      const { app } = await boot({
        imports: [
          StageModule.forRoot({ logging: false }),
          StageModule.forFeature({ channels: [ADDER] }),
        ],
        providers: [Producer],
      });

      const { adder } = app.get(Producer);
      expect(adder).toBeInstanceOf(Channel);
      expect(adder.name).toBe('adder');
      expect(adder.capacity).toBe(8);
      expect(app.get(getChannelToken('adder'), { strict: false })).toBe(adder);
      await app.close();
    });

    it('works without StageModule.forRoot()', async () => {
      const { app } = await boot({
        imports: [StageModule.forFeature({ channels: [ADDER] })],
        providers: [Producer, Workers],
      });

      await expect(app.get(Producer).adder.request({ a: 1, b: 2 })).resolves.toBe(3);
      await app.close();
    });

    it('provides one instance per name however many modules register it', async () => {
      const shared = StageModule.forFeature({ channels: [ADDER] });
      @Module({ imports: [shared], providers: [Producer], exports: [Producer] })
      class ProducerModule {}
      @Module({ imports: [shared], providers: [Workers] })
      class WorkerModule {}
      @Module({ imports: [StageModule.forFeature({ channels: [{ name: 'adder', capacity: 8 }] })] })
      class ThirdModule {}

      const { app } = await boot({
        imports: [
          StageModule.forRoot({ logging: false }),
          ProducerModule,
          WorkerModule,
          ThirdModule,
        ],
      });

      const adder = app.get(Producer).adder;
      expect(app.select(ThirdModule).get(getChannelToken('adder'))).toBe(adder);
      expect(app.select(WorkerModule).get(getChannelToken('adder'))).toBe(adder);
      await expect(adder.request({ a: 2, b: 3 }, { timeoutMs: 1_000 })).resolves.toBe(5);
      await app.close();
    });

    it('fails the bootstrap when two modules declare one name differently, naming both', async () => {
      @Module({ imports: [StageModule.forFeature({ channels: [ADDER] })] })
      class AdderModule {}
      @Module({
        imports: [StageModule.forFeature({ channels: [{ name: 'adder', capacity: 16 }] })],
      })
      class ReportsModule {}

      const { app } = await boot(
        { imports: [StageModule.forRoot(), AdderModule, ReportsModule] },
        { init: false },
      );

      const init = app.init();
      await expect(init).rejects.toThrow(DuplicateChannelError);
      await expect(init).rejects.toThrow(
        'Channel "adder" is declared twice with different options: "capacity" is 8 in ' +
          'AdderModule and 16 in ReportsModule.',
      );
      await app.close();
    });

    it('fails the bootstrap when a handler names an unknown channel, naming the method', async () => {
      @Injectable()
      class Misnamed {
        @Supervised({ channel: 'adderr' })
        add({ a, b }: Operands): number {
          return a + b;
        }
      }

      const { app } = await boot(
        {
          imports: [StageModule.forRoot(), StageModule.forFeature({ channels: [ADDER] })],
          providers: [Misnamed],
        },
        { init: false },
      );

      const init = app.init();
      await expect(init).rejects.toThrow(UnknownChannelError);
      await expect(init).rejects.toThrow(
        'Misnamed@add names channel "adderr", which no module declares. Known channels: "adder".',
      );
      await app.close();
    });

    it('rejects a misspelled channel option by name', async () => {
      const compiling = Test.createTestingModule({
        imports: [
          StageModule.forFeature({
            channels: [{ name: 'adder', capcity: 8 } as unknown as ChannelDeclaration],
          }),
        ],
      })
        .setLogger(new CaptureLogger())
        .compile();

      await expect(compiling).rejects.toThrow(InvalidOptionError);
      await expect(compiling).rejects.toThrow('Invalid option "channels[0].capcity"');
    });

    it('rejects a name declared twice in one registration', async () => {
      const compiling = Test.createTestingModule({
        imports: [StageModule.forFeature({ channels: [ADDER, { name: 'adder' }] })],
      })
        .setLogger(new CaptureLogger())
        .compile();

      await expect(compiling).rejects.toThrow('Invalid option "channels[1].name"');
    });

    it('rejects a bad channel option with the core error naming the channel', async () => {
      const compiling = Test.createTestingModule({
        imports: [StageModule.forFeature({ channels: [{ name: 'adder', capacity: 0 }] })],
      })
        .setLogger(new CaptureLogger())
        .compile();

      await expect(compiling).rejects.toThrow(
        'Invalid option "capacity" for channel "adder": expected an integer >= 1, received 0.',
      );
    });

    it('rejects bad supervisor options by name', async () => {
      const compiling = Test.createTestingModule({
        imports: [
          StageModule.forFeature({
            supervisor: { strategy: 'one-for-some' as 'one-for-all' },
          }),
        ],
      })
        .setLogger(new CaptureLogger())
        .compile();

      const error: unknown = await compiling.catch((caught: unknown) => caught);
      expect(isStageError(error, 'STAGE_INVALID_OPTION') && error.option).toBe(
        'supervisor.strategy',
      );
    });
  });

  describe('overriding a channel in a test', () => {
    it('injects the replacement wherever the channel is injected', async () => {
      const replacement = { request: async () => 42 };
      const app = await Test.createTestingModule({
        imports: [
          StageModule.forRoot({ logging: false }),
          StageModule.forFeature({ channels: [ADDER] }),
        ],
        providers: [Producer],
      })
        .overrideProvider(getChannelToken('adder'))
        .useValue(replacement)
        .setLogger(new CaptureLogger())
        .compile();
      await app.init();

      expect(app.get(Producer).adder).toBe(replacement);
      await expect(app.get(Producer).adder.request({ a: 1, b: 1 })).resolves.toBe(42);
      await app.close();
    });

    it('runs handlers on a replacement channel, and warns about one that is not a Channel', async () => {
      const replacement = new Channel<Operands, number>({ name: 'adder', capacity: 1 });
      const withChannel = await Test.createTestingModule({
        imports: [
          StageModule.forRoot({ logging: false }),
          StageModule.forFeature({ channels: [ADDER] }),
        ],
        providers: [Producer, Workers],
      })
        .overrideProvider(getChannelToken('adder'))
        .useValue(replacement)
        .setLogger(new CaptureLogger())
        .compile();
      await withChannel.init();
      await expect(replacement.request({ a: 4, b: 5 }, { timeoutMs: 1_000 })).resolves.toBe(9);
      await withChannel.close();

      const logs = new CaptureLogger();
      const withStub = await Test.createTestingModule({
        imports: [
          StageModule.forRoot({ logging: false }),
          StageModule.forFeature({ channels: [ADDER] }),
        ],
        providers: [Workers],
      })
        .overrideProvider(getChannelToken('adder'))
        .useValue({ request: async () => 0 })
        .setLogger(logs)
        .compile();
      await withStub.init();
      expect(logs.under('Stage', 'warn').map((entry) => entry.message)).toEqual([
        'Channel "adder" was replaced by a value that is not a Channel; Workers@add does not ' +
          'consume it.',
      ]);
      await withStub.close();
    });
  });
});
