import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { StageRegistry } from 'nestjs-stage';
import { afterEach, describe, expect, it, vi } from 'vitest';

import { AppModule } from '../src/app.module.js';
import type { AppOptions } from '../src/app-options.js';
import { CrashInjector } from '../src/crash/crash-injector.js';
import { QueueAdderController } from '../src/first-degree/queue-adder.controller.js';

/** One request of a batch: what was asked and what came back. */
interface Exchange {
  readonly a: number;
  readonly b: number;
  readonly status: number;
  readonly body: unknown;
}

let app: INestApplication | undefined;

afterEach(async () => {
  await app?.close();
  app = undefined;
});

/** Boots the demo's AppModule on a free port of 127.0.0.1; returns its base URL. */
async function startApp(options: AppOptions): Promise<string> {
  const moduleRef = await Test.createTestingModule({
    imports: [AppModule.forRoot({ logging: false, ...options })],
  }).compile();
  app = moduleRef.createNestApplication({ logger: false });
  await app.listen(0, '127.0.0.1');
  return (await app.getUrl()).replace('[::1]', '127.0.0.1');
}

/** Sends `count` additions of distinct operands to `url`, `concurrency` at a time. */
async function addMany(url: string, count: number, concurrency = 16): Promise<Exchange[]> {
  const exchanges: Exchange[] = [];
  let next = 0;
  async function lane(): Promise<void> {
    while (next < count) {
      const i = next++;
      const a = i * 7 - 500;
      const b = i / 4;
      const response = await fetch(`${url}?a=${a}&b=${b}`);
      exchanges.push({ a, b, status: response.status, body: await response.json() });
    }
  }
  await Promise.all(Array.from({ length: concurrency }, lane));
  return exchanges;
}

describe('the demo application', () => {
  describe('GET /v1/add (first degree)', () => {
    it('answers every request with the right sum at a high crash rate, through handler retries', async () => {
      const base = await startApp({ crashRate: 0.3, retryAfterMs: 25, maxAttempts: 50 });

      const exchanges = await addMany(`${base}/v1/add`, 300);

      expect(exchanges).toHaveLength(300);
      for (const { a, b, status, body } of exchanges) {
        expect({ status, body }).toEqual({ status: 200, body: { a, b, sum: a + b } });
      }
      const crashes = app!.get(CrashInjector).crashes('first-degree');
      expect(crashes).toBeGreaterThan(0);
      expect(app!.get(StageRegistry).status('queue-adder').restarts).toBeGreaterThanOrEqual(
        crashes,
      );
      expect(app!.get(QueueAdderController).handlerRetries).toBeGreaterThan(0);
    });

    it('answers 503, saying why, when every attempt timed out', async () => {
      const base = await startApp({ crashRate: 1, retryAfterMs: 10, maxAttempts: 3 });

      const response = await fetch(`${base}/v1/add?a=1&b=2`);

      expect(response.status).toBe(503);
      expect(await response.json()).toMatchObject({
        message: expect.stringContaining('No worker answered within 10 ms, 3 times in a row.'),
      });
      expect(app!.get(QueueAdderController).handlerRetries).toBe(2);
    });

    it('refuses operands that are not finite numbers with 400, naming the parameter', async () => {
      const base = await startApp({ crashRate: 0 });

      const response = await fetch(`${base}/v1/add?a=1&b=abc`);

      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({
        message: 'Query parameter "b" must be a finite decimal number; received "abc".',
      });
    });

    it('stops its workers when the application closes', async () => {
      await startApp({ crashRate: 0 });
      const registry = app!.get(StageRegistry);
      await vi.waitFor(() => expect(registry.status('queue-adder').running).toBe(4));

      await app!.close();

      expect(registry.status('queue-adder').state).toMatchObject({
        kind: 'stopped',
        report: { clean: true, abandoned: [] },
      });
      app = undefined;
    });
  });
});
