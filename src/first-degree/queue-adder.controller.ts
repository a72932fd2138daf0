import { Controller, Get, Inject, Query, ServiceUnavailableException } from '@nestjs/common';
import { RequestAbortSignal } from 'nestjs-stage';

import type { Addition, Operands } from '../adder/addition.js';
import { OperandsPipe } from '../adder/operands.pipe.js';
import type { AskOutcome } from './add-job.js';
import { AdderQueue } from './adder-queue.js';
import { AdderQueueClosedError } from './adder-queue-closed-error.js';
import { FIRST_DEGREE_OPTIONS, type FirstDegreeOptions } from './first-degree-options.js';

/**
 * `GET /v1/add?a=1&b=2`: the first degree. The request goes through the application's own
 * queue to a supervised worker. A crashed worker loses the request it held, so this handler waits
 * `retryAfterMs` for the reply and, failing that, queues the request again, up to `maxAttempts`
 * times in all: these are the **handler retries** the demo counts.
 *
 * Answers `{ a, b, sum }`; `400` for bad operands; `503` when every attempt timed out or the
 * application is shutting down. A client that disconnects stops the retries (Stage's
 * `@RequestAbortSignal()`; `StageExceptionFilter` answers its error with 499, which nobody sees).
 */
@Controller('v1')
export class QueueAdderController {
  /** Requests queued again after a timeout, since the application started; only grows. */
  private retries = 0;

  constructor(
    private readonly queue: AdderQueue,
    @Inject(FIRST_DEGREE_OPTIONS) private readonly options: FirstDegreeOptions,
  ) {}

  /** How many times a request was queued again after its reply timed out. */
  get handlerRetries(): number {
    return this.retries;
  }

  @Get('add')
  async add(
    @Query(OperandsPipe) operands: Operands,
    @RequestAbortSignal() signal: AbortSignal,
  ): Promise<Addition> {
    const { retryAfterMs, maxAttempts } = this.options;

    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      if (attempt > 1) this.retries++;
      const outcome = await this.ask(operands, retryAfterMs, signal);
      if (outcome.kind === 'answered') return { ...operands, sum: outcome.sum };
    }
    throw new ServiceUnavailableException(
      `No worker answered within ${retryAfterMs} ms, ${maxAttempts} times in a row. ` +
        'The workers may be crashing faster than they restart: check the logs.',
    );
  }

  /** Asks the queue once; a closed queue (the application is shutting down) becomes a 503. */
  private async ask(
    operands: Operands,
    timeoutMs: number,
    signal: AbortSignal,
  ): Promise<AskOutcome> {
    try {
      return await this.queue.ask(operands, { timeoutMs, signal });
    } catch (error) {
      if (error instanceof AdderQueueClosedError) {
        throw new ServiceUnavailableException(error.message, { cause: error });
      }
      throw error;
    }
  }
}
