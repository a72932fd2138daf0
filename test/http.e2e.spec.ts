import {
  Body,
  type CanActivate,
  Controller,
  type ExecutionContext,
  Get,
  type INestApplication,
  Injectable,
  Module,
  NotFoundException,
  Post,
  type Type,
  UseGuards,
} from '@nestjs/common';
import { APP_FILTER, NestFactory } from '@nestjs/core';
import {
  type Channel,
  type ChannelDeclaration,
  ClientDisconnectedError,
  InjectChannel,
  RequestAbortSignal,
  StageExceptionFilter,
  StageModule,
  Supervised,
} from 'nestjs-stage';
import { afterEach, describe, expect, it, vi } from 'vitest';

import { CaptureLogger } from './support/capture-logger.js';

interface Operands {
  readonly a: number;
  readonly b: number;
}

/** What the adder endpoint saw of its last request's signal. */
class SignalProbe {
  last: AbortSignal | undefined;
}

/** Holds requests in a guard until the test opens it, keeping the response it held. */
class GuardGate {
  held: { readonly closed: boolean } | undefined;
  open!: () => void;
  readonly opened = new Promise<void>((resolve) => (this.open = resolve));
}

/** A guard that does slow work (it waits for the gate) before the route handler runs. */
@Injectable()
class SlowGuard implements CanActivate {
  constructor(private readonly gate: GuardGate) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    this.gate.held = context.switchToHttp().getResponse();
    await this.gate.opened;
    return true;
  }
}

@Controller()
class AdderController {
  constructor(
    @InjectChannel('adder') private readonly adder: Channel<Operands, number>,
    private readonly probe: SignalProbe,
  ) {}

  @Post('add')
  async add(
    @Body() operands: Operands,
    @RequestAbortSignal() signal: AbortSignal,
  ): Promise<{ sum: number }> {
    this.probe.last = signal;
    return { sum: await this.adder.request(operands, { timeoutMs: 200, signal }) };
  }

  @Post('add-after-check')
  @UseGuards(SlowGuard)
  async addAfterCheck(
    @Body() operands: Operands,
    @RequestAbortSignal() signal: AbortSignal,
  ): Promise<{ sum: number }> {
    return this.add(operands, signal);
  }

  @Get('missing')
  missing(): never {
    throw new NotFoundException('nothing here');
  }
}

/** Answers `a + b`; `a < 0` hangs until its task must stop, `a === 13` always throws. */
@Injectable()
class AdderWorkers {
  @Supervised({ channel: 'adder', size: 2, shutdownTimeoutMs: 100 })
  async add({ a, b }: Operands, delivery: { signal: AbortSignal }): Promise<number> {
    if (a === 13) throw new Error('unlucky');
    if (a < 0) await new Promise((resolve) => delivery.signal.addEventListener('abort', resolve));
    return a + b;
  }
}

let app: INestApplication | undefined;

afterEach(async () => {
  await app?.close();
  app = undefined;
});

/** Starts a real HTTP server on an ephemeral port, with the filter registered through DI. */
async function serve(channel: ChannelDeclaration, providers: Type[]): Promise<string> {
  @Module({
    imports: [
      StageModule.forRoot({ logging: false }),
      StageModule.forFeature({ channels: [channel] }),
    ],
    controllers: [AdderController],
    providers: [
      SignalProbe,
      GuardGate,
      ...providers,
      { provide: APP_FILTER, useClass: StageExceptionFilter },
    ],
  })
  class HttpModule {}

  // Closing also ends the keep-alive connections `fetch` leaves open, so `close()` is prompt.
  app = await NestFactory.create(HttpModule, {
    logger: new CaptureLogger(),
    forceCloseConnections: true,
  });
  await app.listen(0, '127.0.0.1');
  return app.getUrl();
}

function post(url: string, body: Operands, signal?: AbortSignal, path = 'add'): Promise<Response> {
  return fetch(`${url}/${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    ...(signal === undefined ? {} : { signal }),
  });
}

function adderOf(): Channel<Operands, number> {
  return app!.get<Channel<Operands, number>>('StageChannel(adder)', { strict: false });
}

describe('HTTP', () => {
  describe('StageExceptionFilter', () => {
    it('answers a request with its reply when all goes well', async () => {
      const url = await serve({ name: 'adder' }, [AdderWorkers]);

      const response = await post(url, { a: 2, b: 3 });

      expect(response.status).toBe(201);
      expect(await response.json()).toEqual({ sum: 5 });
    });

    it('answers 503 when the channel is closed', async () => {
      const url = await serve({ name: 'adder' }, [AdderWorkers]);
      await adderOf().close();

      const response = await post(url, { a: 2, b: 3 });

      expect(response.status).toBe(503);
      expect(await response.json()).toEqual({
        statusCode: 503,
        error: 'Service Unavailable',
        message: 'The service is shutting down; retry the request.',
        code: 'STAGE_CHANNEL_CLOSED',
      });
    });

    it('answers 503 when the channel is full', async () => {
      const url = await serve({ name: 'adder', capacity: 1, overflow: 'reject' }, []);
      void adderOf().send({ a: 0, b: 0 });

      const response = await post(url, { a: 2, b: 3 });

      expect(response.status).toBe(503);
      expect(await response.json()).toMatchObject({ code: 'STAGE_CHANNEL_FULL' });
    });

    it('answers 503 when a full channel has no consumer yet', async () => {
      const url = await serve({ name: 'adder', capacity: 1 }, []);
      void adderOf().send({ a: 0, b: 0 });

      const response = await post(url, { a: 2, b: 3 });

      expect(response.status).toBe(503);
      expect(await response.json()).toMatchObject({ code: 'STAGE_CHANNEL_NOT_STARTED' });
    });

    it('answers 504 when the request times out', async () => {
      const url = await serve({ name: 'adder' }, [AdderWorkers]);

      const response = await post(url, { a: -1, b: 0 });

      expect(response.status).toBe(504);
      expect(await response.json()).toMatchObject({
        error: 'Gateway Timeout',
        code: 'STAGE_REQUEST_TIMEOUT',
      });
    });

    it('answers 500 without the cause when the request was dead-lettered', async () => {
      const url = await serve(
        { name: 'adder', maxDeliveries: 2, redelivery: { minMs: 0, maxMs: 0 } },
        [AdderWorkers],
      );

      const response = await post(url, { a: 13, b: 0 });

      expect(response.status).toBe(500);
      const body: unknown = await response.json();
      expect(body).toEqual({
        statusCode: 500,
        error: 'Internal Server Error',
        message: 'The request failed on every attempt to handle it and was set aside.',
        code: 'STAGE_DEAD_LETTERED',
      });
      expect(JSON.stringify(body)).not.toContain('unlucky');
    });

    it('leaves other errors to Nest', async () => {
      const url = await serve({ name: 'adder' }, [AdderWorkers]);

      const response = await fetch(`${url}/missing`);

      expect(response.status).toBe(404);
      expect(await response.json()).toMatchObject({ message: 'nothing here' });
    });
  });

  describe('@RequestAbortSignal()', () => {
    it('withdraws a buffered request when its client disconnects', async () => {
      const url = await serve({ name: 'adder' }, []);
      const adder = adderOf();
      const client = new AbortController();

      const response = post(url, { a: 2, b: 3 }, client.signal).catch((error: unknown) => error);
      await vi.waitFor(() => expect(adder.stats().buffered).toBe(1));
      client.abort();

      await vi.waitFor(() => expect(adder.stats()).toMatchObject({ buffered: 0, withdrawn: 1 }));
      expect(app!.get(SignalProbe).last?.reason).toBeInstanceOf(ClientDisconnectedError);
      expect(await response).toBeInstanceOf(Error);
    });

    it('fires at once, accepting nothing, for a client that left while a guard still ran', async () => {
      const url = await serve({ name: 'adder' }, [AdderWorkers]);
      const adder = adderOf();
      const gate = app!.get(GuardGate);
      const client = new AbortController();

      const response = post(url, { a: 2, b: 3 }, client.signal, 'add-after-check').catch(
        (error: unknown) => error,
      );
      await vi.waitFor(() => expect(gate.held).toBeDefined());
      client.abort();
      await vi.waitFor(() => expect(gate.held?.closed).toBe(true));
      gate.open();

      await vi.waitFor(() => expect(app!.get(SignalProbe).last?.aborted).toBe(true));
      expect(app!.get(SignalProbe).last?.reason).toBeInstanceOf(ClientDisconnectedError);
      expect(adder.stats()).toMatchObject({ accepted: 0, buffered: 0 });
      expect(await response).toBeInstanceOf(Error);
    });

    it('never fires once the response has been sent', async () => {
      const url = await serve({ name: 'adder' }, [AdderWorkers]);

      const response = await post(url, { a: 1, b: 1 });
      await response.json();

      const signal = app!.get(SignalProbe).last;
      expect(signal).toBeInstanceOf(AbortSignal);
      expect(signal?.aborted).toBe(false);
    });
  });
});
