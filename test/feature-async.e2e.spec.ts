import { Injectable, Module, type OnModuleDestroy } from '@nestjs/common';
import {
  Channel,
  type Delivery,
  InjectChannel,
  InvalidOptionError,
  StageModule,
  Supervised,
  type TaskContext,
} from 'nestjs-stage';
import { MemoryChannelStorage } from 'nestjs-stage/core';
import { describe, expect, it, vi } from 'vitest';

import { boot } from './support/boot.js';

/** A client the application provides and closes in its own destroy phase. */
@Injectable()
class Client implements OnModuleDestroy {
  closed = false;

  onModuleDestroy(): void {
    this.closed = true;
  }
}

/** A storage built on the client: it records whether the client was still open at its close. */
class ClientStorage extends MemoryChannelStorage<unknown> {
  clientOpenAtClose: boolean | undefined;

  constructor(private readonly client: Client) {
    super();
  }

  override close(): void {
    this.clientOpenAtClose = !this.client.closed;
  }
}

@Module({ providers: [Client], exports: [Client] })
class ClientModule {}

/** A registration whose `adder` channel gets its storage from the injected client. */
function adderOnClient(storages: ClientStorage[]) {
  return StageModule.forFeatureAsync({
    channels: ['adder'],
    imports: [ClientModule],
    inject: [Client],
    useFactory: async (client: Client) => {
      const storage = new ClientStorage(client);
      storages.push(storage);
      return { channels: [{ name: 'adder', storage }] };
    },
  });
}

@Injectable()
class Adder {
  constructor(@InjectChannel('adder') readonly channel: Channel<number, number>) {}
}

@Injectable()
class Doubler {
  @Supervised({ channel: 'adder' })
  double(n: number, delivery: Delivery<number, number>): number {
    return delivery.deliveryCount === 1 ? n * 2 : -1;
  }
}

@Injectable()
class LoopConsumer {
  seen: number[] = [];

  constructor(@InjectChannel('adder') private readonly channel: Channel<number, number>) {}

  @Supervised()
  async consume(ctx: TaskContext): Promise<void> {
    for await (const delivery of this.channel.consume(ctx)) this.seen.push(delivery.body);
  }
}

describe('StageModule.forFeatureAsync', () => {
  it('builds a channel whose storage a factory made from an injected provider', async () => {
    const storages: ClientStorage[] = [];
    const { app } = await boot({
      imports: [StageModule.forRoot({ logging: false }), adderOnClient(storages)],
      providers: [Adder, Doubler],
    });

    await expect(app.get(Adder).channel.request(21, { timeoutMs: 1_000 })).resolves.toBe(42);
    await app.close();

    expect(storages).toHaveLength(1);
    expect(storages[0]?.clientOpenAtClose).toBe(true);
  });

  it('closes the channel before the injected provider is destroyed, with a loop-mode consumer', async () => {
    const storages: ClientStorage[] = [];
    @Module({ imports: [adderOnClient(storages)], providers: [LoopConsumer, Adder] })
    class ConsumerModule {}
    const { app } = await boot({
      imports: [StageModule.forRoot({ logging: false }), ConsumerModule],
    });
    const { channel } = app.get(Adder);
    await channel.send(1);
    await channel.send(2);
    await vi.waitFor(() => expect(app.get(LoopConsumer).seen).toEqual([1, 2]));

    await app.close();

    expect(channel.state.kind).toBe('closed');
    expect(storages[0]?.clientOpenAtClose).toBe(true);
    expect(channel.stats()).toMatchObject({ accepted: 2, handled: 2 });
  });

  it('fails the bootstrap when the factory declares a channel that was not listed', async () => {
    const registration = StageModule.forFeatureAsync({
      channels: ['adder'],
      useFactory: () => ({ channels: [{ name: 'adder' }, { name: 'jobs' }] }),
    });

    await expect(boot({ imports: [StageModule.forRoot(), registration] })).rejects.toThrow(
      'Invalid option "channels" for the StageModule.forFeatureAsync factory: expected only the ' +
        'channels listed in forFeatureAsync({ channels }) (adder); add "jobs" to that list',
    );
  });

  it('fails the bootstrap when the factory leaves out a listed channel', async () => {
    const registration = StageModule.forFeatureAsync({
      channels: ['adder', 'jobs'],
      useFactory: () => ({}),
    });

    await expect(boot({ imports: [StageModule.forRoot(), registration] })).rejects.toThrow(
      'expected a declaration of every channel listed in forFeatureAsync({ channels }), "adder" ' +
        'included',
    );
  });

  it('rejects options that cannot define a module, when called', () => {
    expect(() => StageModule.forFeatureAsync({ channels: ['adder'] } as never)).toThrow(
      'Invalid option "useFactory" for StageModule.forFeatureAsync options: expected a function',
    );
    expect(() =>
      StageModule.forFeatureAsync({ channels: ['adder', 'adder'], useFactory: () => ({}) }),
    ).toThrow(InvalidOptionError);
    expect(() =>
      StageModule.forFeatureAsync({ channels: 'adder', useFactory: () => ({}) } as never),
    ).toThrow('expected an array of the channel names the factory declares');
  });
});
