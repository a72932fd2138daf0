import type { ChannelDeclaration } from 'nestjs-stage';

/**
 * The pipeline's channel: the ticker's ticks, waiting for the auditor. Registered with
 * `StageModule.forFeature({ channels: [TICKS_CHANNEL] })` by `PipelineModule`.
 *
 * Owned by Stage, so it outlives both children: ticks buffered when the pipeline restarts, and the
 * tick the crashed auditor held, are audited by the next auditor. As for the adder, a failed
 * delivery is retried within milliseconds and gets up to 10 deliveries before it is dead-lettered.
 */
export const TICKS_CHANNEL = {
  name: 'ticks',
  maxDeliveries: 10,
  redelivery: { minMs: 1, maxMs: 20 },
} as const satisfies ChannelDeclaration;
