import { Controller, Get, Inject, Query } from '@nestjs/common';
import { type Channel, InjectChannel, RequestAbortSignal } from 'nestjs-stage';

import type { Addition, Operands } from '../adder/addition.js';
import { OperandsPipe } from '../adder/operands.pipe.js';
import { ADDER_CHANNEL } from './adder-channel.js';
import { SECOND_DEGREE_OPTIONS, type SecondDegreeOptions } from './second-degree-options.js';

/**
 * `GET /v2/add?a=1&b=2`: the second degree. The request goes through the `adder` channel to a
 * supervised handler. A crash fails one delivery and Stage delivers the message again, so this
 * handler asks once and needs no retry.
 *
 * Answers `{ a, b, sum }`; `400` for bad operands. Stage's errors become statuses through
 * `StageExceptionFilter`: `504` when no reply came within `requestTimeoutMs`, `503` while the
 * application shuts down, `500` for a request dead-lettered after every delivery failed. A client
 * that disconnects withdraws its request if no handler holds it yet.
 */
@Controller('v2')
export class ChannelAdderController {
  /** Requests this handler put into the channel, since the application started; only grows. */
  private requests = 0;

  constructor(
    @InjectChannel(ADDER_CHANNEL.name) private readonly adder: Channel<Operands, number>,
    @Inject(SECOND_DEGREE_OPTIONS) private readonly options: SecondDegreeOptions,
  ) {}

  /**
   * How many requests this handler put into the channel: one per HTTP request. The demo compares
   * it with the channel's ledger to show that nothing was sent twice.
   */
  get channelRequests(): number {
    return this.requests;
  }

  @Get('add')
  async add(
    @Query(OperandsPipe) operands: Operands,
    @RequestAbortSignal() signal: AbortSignal,
  ): Promise<Addition> {
    this.requests++;
    const sum = await this.adder.request(operands, {
      timeoutMs: this.options.requestTimeoutMs,
      signal,
    });
    return { ...operands, sum };
  }
}
