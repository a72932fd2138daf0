import { Inject, Injectable } from '@nestjs/common';
import { type Delivery, Supervised } from 'nestjs-stage';

import type { Operands } from '../adder/addition.js';
import { CrashInjector } from '../crash/crash-injector.js';
import { delay } from '../time/delay.js';
import { ADDER_CHANNEL } from './adder-channel.js';
import { SECOND_DEGREE_OPTIONS, type SecondDegreeOptions } from './second-degree-options.js';

/**
 * The second degree's workers: Stage runs `add` in handler mode, four calls at most at once,
 * once per message of the `adder` channel, and replies to each request with its return value.
 *
 * - **Failure**: a crash fails that delivery only. The channel keeps the message and delivers it
 *   again (to this task or another, in this replica or, on Redis, another) after a short delay,
 *   with `delivery.deliveryCount` one higher; the task goes on with other messages, so the group
 *   does not restart. After the channel's `maxDeliveries` a message would be dead-lettered and its
 *   request rejected.
 * - **Idempotence**: a message may be handled more than once after a crash; adding is pure, so
 *   there is nothing to guard here. A handler with side effects would key them by `delivery.id`.
 * - **Work**: with `workMs`, each addition takes that long, as if it did I/O; a stop interrupts
 *   the wait (`delivery.signal`), and the delivery goes back to the channel uncounted.
 * - **Shutdown**: in this provider's destroy phase the channel is closed and drained within the
 *   group's deadline, then the group stops.
 */
@Injectable()
export class ChannelAdderService {
  constructor(
    private readonly crashes: CrashInjector,
    @Inject(SECOND_DEGREE_OPTIONS) private readonly options: Pick<SecondDegreeOptions, 'workMs'>,
  ) {}

  @Supervised({ name: 'channel-adder', channel: ADDER_CHANNEL.name, size: 4 })
  add({ a, b }: Operands, delivery: Delivery<Operands, number>): number | Promise<number> {
    this.crashes.maybeCrash('second-degree');
    const { workMs } = this.options;
    if (workMs === 0) return a + b;
    return delay(workMs, delivery.signal).then(() => a + b);
  }
}
