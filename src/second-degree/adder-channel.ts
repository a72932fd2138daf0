import type { ChannelDeclaration } from 'nestjs-stage';

/**
 * The second degree's channel: a Stage mailbox for additions, declared once and registered with
 * `StageModule.forFeature({ channels: [ADDER_CHANNEL] })`.
 *
 * The demo crashes handlers on purpose, often: a failed delivery is retried within milliseconds
 * (the default waits from 100 ms up) and gets up to 10 deliveries (the default is 5) before it is
 * dead-lettered, so that even a high `--crash-rate` loses nothing.
 */
export const ADDER_CHANNEL = {
  name: 'adder',
  maxDeliveries: 10,
  redelivery: { minMs: 1, maxMs: 20 },
} as const satisfies ChannelDeclaration;
