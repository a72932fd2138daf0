import { Injectable, Module } from '@nestjs/common';
import { StageModule, Supervised, type TaskContext } from 'nestjs-stage';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import { aborted, boot } from './support/boot.js';

@Injectable()
class Fragile {
  @Supervised({ backoff: { minMs: 0, maxMs: 0 }, intensity: { maxRestarts: 0, withinMs: 1_000 } })
  async run({ signal }: TaskContext): Promise<void> {
    if (!signal.aborted) throw new Error('database unreachable');
    await aborted(signal);
  }
}

@Module({
  imports: [
    StageModule.forFeature({ supervisor: { intensity: { maxRestarts: 0, withinMs: 1_000 } } }),
  ],
  providers: [Fragile],
})
class FragileModule {}

const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown): void => void unhandled.push(reason);

beforeEach(() => {
  unhandled.length = 0;
  process.on('unhandledRejection', onUnhandled);
});

afterEach(() => {
  process.off('unhandledRejection', onUnhandled);
});

describe('the shutdown give-up policy', () => {
  it.each([
    ['an object without a prototype', () => Object.create(null) as unknown],
    [
      'an object whose toString throws',
      () => ({
        toString: () => {
          throw new Error('no');
        },
      }),
    ],
    [
      'a revoked Proxy',
      () => {
        const { proxy, revoke } = Proxy.revocable({}, {});
        revoke();
        return proxy;
      },
    ],
  ])(
    'logs a shutdown callback that throws %s, raising no unhandled rejection',
    async (_label, value) => {
      const { app, logs } = await boot({
        imports: [
          StageModule.forRoot({
            onGiveUp: {
              action: 'shutdown',
              shutdown: () => {
                throw value();
              },
            },
          }),
          FragileModule,
        ],
      });
      await vi.waitFor(() =>
        expect(logs.under('Stage', 'error').map((entry) => entry.message)).toContain(
          '"FragileModule" gave up; shutting the application down.',
        ),
      );
      await new Promise((resolve) => setTimeout(resolve, 20));

      expect(unhandled).toEqual([]);
      expect(
        logs
          .under('Stage', 'error')
          .some((entry) => entry.message.startsWith('The onGiveUp shutdown callback failed')),
      ).toBe(true);
      await app.close();
    },
  );
});
