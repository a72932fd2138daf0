import { Inject } from '@nestjs/common';

import { getChannelToken } from './channel-token.js';

/**
 * Injects the channel named `name`, declared with `StageModule.forFeature({ channels })` in a
 * module imported by the injecting provider's module. Every module that registers the same
 * declaration gets the same `Channel` instance.
 *
 * The channel lives as long as the application: it closes during shutdown, after the last
 * consumer bound to it in handler mode has drained it (see `@Supervised({ channel })`), or in
 * Stage's own destroy phase when nothing consumes it in handler mode. From then on `send` and
 * `request` reject with `ChannelClosedError`.
 *
 * Handler-mode consumers start in their owners' bootstrap phase. Until one has, the channel only
 * buffers: a send that would have to wait for room rejects with `ChannelNotStartedError` rather
 * than hang the bootstrap. Do not await a request's reply in `onModuleInit` or
 * `onApplicationBootstrap`: its consumer may start only after that hook returns.
 *
 * @example
 * constructor(@InjectChannel('adder') private readonly adder: Channel<Operands, number>) {}
 */
export function InjectChannel(name: string): PropertyDecorator & ParameterDecorator {
  return Inject(getChannelToken(name));
}
