import { Injectable } from '@nestjs/common';
import { type Delivery, Supervised } from 'nestjs-stage';

import type { Operands } from '../adder/addition.js';
import { CrashInjector } from '../crash/crash-injector.js';
import { ADDER_CHANNEL } from './adder-channel.js';

/**
 * The second degree's workers: Stage runs `add` in handler mode, four calls at most at once,
 * once per message of the `adder` channel, and replies to each request with its return value.
 *
 * - **Failure**: a crash fails that delivery only. The channel keeps the message and delivers it
 *   again (to this task or another) after a short delay, with `delivery.deliveryCount` one
 *   higher; the task goes on with other messages, so the group does not restart. After the
 *   channel's `maxDeliveries` a message would be dead-lettered and its request rejected.
 * - **Idempotence**: a message may be handled more than once after a crash; adding is pure, so
 *   there is nothing to guard here. A handler with side effects would key them by `delivery.id`.
 * - **Shutdown**: in this provider's destroy phase the channel is closed and drained within the
 *   group's deadline, then the group stops.
 */
@Injectable()
export class ChannelAdderService {
  constructor(private readonly crashes: CrashInjector) {}

  @Supervised({ name: 'channel-adder', channel: ADDER_CHANNEL.name, size: 4 })
  add({ a, b }: Operands, _delivery: Delivery<Operands, number>): number {
    this.crashes.maybeCrash('second-degree');
    return a + b;
  }
}
