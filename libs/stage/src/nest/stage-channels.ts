import { messageOf } from '../core/errors/thrown-value-error.js';
import { countOf } from '../core/util/count-of.js';
import { RepeatLog } from '../core/util/repeat-log.js';
import { Injectable, Logger } from '@nestjs/common';

import { Channel, channelCore } from '../core/channel/channel.js';
import type { ChannelCloseReport } from '../core/channel/channel-close-report.js';
import type { ChannelEvent } from '../core/channel/channel-events.js';
import { isStageError } from '../core/errors/stage-error.js';
import { watchBootstrap } from './bootstrap-watch.js';
import { UnknownChannelError } from './errors/unknown-channel-error.js';
import type { ManagedGroup } from './managed-group.js';
import type { DeclaredChannel } from './scan-features.js';
import { StageConfiguration } from './stage-configuration.js';
import type { ChannelDeclaration } from './stage-feature-options.js';

/** A channel of the running application. */
export interface ChannelEntry {
  readonly name: string;
  readonly channel: Channel<unknown, unknown>;
  /** The modules that declare it, for messages and the registry. */
  readonly owners: string;
  /** The groups that consume it in handler mode, in declaration order. */
  readonly consumers: ManagedGroup[];
}

/** How long repeated failed deliveries of one channel are summed up into one log line. */
const FAILED_DELIVERY_WINDOW_MS = 5_000;

/**
 * The application's channels by name. Providers build them (the first declaration of a name
 * builds its channel, every provider of the name returns that instance); once the module graph
 * is known, the explorer binds each name to what the application actually injects (a test may
 * have replaced it) and its handler-mode consumers. At shutdown it drains a channel through its
 * last consumer and closes what is left. Internal.
 */
@Injectable()
export class StageChannels {
  private readonly logger = new Logger('Stage');
  /** One channel per name, built from the first declaration a provider asked for. */
  private readonly built = new Map<string, Channel<unknown, unknown>>();
  /** The bound channels, in declaration order; only real `Channel` instances. */
  private readonly entries = new Map<string, ChannelEntry>();
  /** The names declared, bound or not (a test may replace a channel with a stub). */
  private declared: readonly string[] = [];
  /** Unsubscribes from the channels' events. */
  private readonly detachers: (() => void)[] = [];
  /**
   * Failed deliveries, by channel: the first of a series is logged with its stack, the rest
   * summed up once per window, so that a crashing handler is visible without flooding the log.
   */
  private readonly failedDeliveries = new Map<string, RepeatLog>();
  /** The logger, silenced with the root option `logging: false`. */
  private readonly gatedLogger = {
    log: (message: string) => this.log('log', message),
    warn: (message: string) => this.log('warn', message),
    error: (message: string, stack?: string) => {
      if (this.configuration.options.logging) this.logger.error(message, stack);
    },
  };

  /** Ends the watch for consumers that never started (see `watchBootstrap`), once one began. */
  private unwatch: (() => void) | undefined;

  constructor(private readonly configuration: StageConfiguration) {}

  /** The application closes: the watch for consumers that never started ends. */
  private endWatch(): void {
    this.unwatch?.();
    this.unwatch = undefined;
  }

  /**
   * The channel named `name`, built from its declaration in `declarations` the first time.
   *
   * @throws InvalidOptionError from the core, naming `channel "<name>"`, for a bad option.
   */
  obtain(name: string, declarations: readonly ChannelDeclaration[]): Channel<unknown, unknown> {
    const existing = this.built.get(name);
    if (existing !== undefined) return existing;

    const declaration = declarations.find((candidate) => candidate.name === name);
    const channel = new Channel<unknown, unknown>(declaration ?? { name });
    this.built.set(name, channel);
    this.unwatch ??= watchBootstrap(
      this,
      () => this.built.entries(),
      (stuck) => this.reportStuckBootstrap(stuck),
    );
    return channel;
  }

  private reportStuckBootstrap(stuck: readonly { name: string; buffered: number }[]): void {
    const held = stuck.map(({ name, buffered }) => `"${name}" holds ${buffered}`).join(', ');
    // Logged whatever the `logging` option: the process is about to end with nothing else said.
    this.logger.error(
      `The process is ending with messages waiting for consumers that never started ` +
        `(channel ${held}). Consumers start during the bootstrap, each in its provider's ` +
        `onApplicationBootstrap(): a request awaited before then (in a provider factory, ` +
        `onModuleInit() or onApplicationBootstrap()) can wait for them forever. Make the ` +
        `request once app.init() or app.listen() has resolved, send without awaiting, or give ` +
        `the request a timeoutMs.`,
    );
  }

  /**
   * Binds the declared channels, forwarding their events to `emit` and logging dead letters,
   * abandoned handlers and failures. A name whose provider was replaced by something that is not
   * a `Channel` is left out.
   */
  bind(declared: ReadonlyMap<string, DeclaredChannel>, emit: (event: ChannelEvent) => void): void {
    this.declared = [...declared.keys()];
    for (const { name, instance, owners } of declared.values()) {
      if (!(instance instanceof Channel) || this.entries.has(name)) continue;
      const channel = instance as Channel<unknown, unknown>;
      this.entries.set(name, { name, channel, owners, consumers: [] });
      this.detachers.push(
        channel.on((event) => {
          emit(event);
          this.logEvent(event);
        }),
      );
    }
  }

  /** The bound channel named `name`, if any. */
  find(name: string): ChannelEntry | undefined {
    return this.entries.get(name);
  }

  /** The bound channel named `name`. @throws UnknownChannelError naming `operation` */
  get(name: string, operation: string): ChannelEntry {
    const entry = this.entries.get(name);
    if (entry === undefined) {
      throw new UnknownChannelError(`StageRegistry.${operation}`, name, [...this.entries.keys()]);
    }
    return entry;
  }

  list(): readonly ChannelEntry[] {
    return [...this.entries.values()];
  }

  /** Every declared name, bound or not. */
  get names(): readonly string[] {
    return this.declared;
  }

  /**
   * What stopping `consumer` at shutdown does first: when it runs and no other consumer of its
   * channel is still active, close the channel and let `consumer` drain it within the stop's
   * deadline. `undefined` when another consumer will drain it, when `consumer` does not run (its
   * module gave up, an operator stopped it, or every task waits out a backoff: nothing would
   * drain, and waiting for the deadline would only delay the shutdown), or when it consumes no
   * bound channel; the channel is then closed by {@link closeAll}.
   */
  drainBefore(consumer: ManagedGroup): ((budgetMs: number) => Promise<void>) | undefined {
    const entry = consumer.channel === undefined ? undefined : this.entries.get(consumer.channel);
    if (entry === undefined || !consumer.running || consumer.backingOff) return undefined;
    if (entry.consumers.some((other) => other !== consumer && other.active)) return undefined;

    return async (budgetMs) => {
      const report = await entry.channel.close({ timeoutMs: budgetMs });
      this.logClosed(entry.name, report);
    };
  }

  /**
   * Closes every channel still open, at once: after every group has stopped, nothing will drain
   * them. What is left is returned to its senders or dead-lettered by the core, and logged. That
   * includes the channels built but never bound, when the bootstrap failed before Stage's
   * discovery ran. Then stops forwarding events. Never rejects.
   */
  async closeAll(): Promise<void> {
    this.endWatch();
    const channels = new Map<Channel<unknown, unknown>, string>();
    for (const [name, channel] of this.built) channels.set(channel, name);
    for (const { name, channel } of this.list()) channels.set(channel, name);
    await Promise.all(
      [...channels].map(async ([channel, name]) => {
        const wasOpen = channel.state.kind !== 'closed';
        const report = await channel.close({ timeoutMs: 0 });
        if (wasOpen) this.logClosed(name, report);
      }),
    );
    for (const detach of this.detachers.splice(0)) detach();
    for (const log of this.failedDeliveries.values()) log.close();
    this.failedDeliveries.clear();
  }

  /**
   * Closes the bound channels named in `names` that are still open, logging what was left as
   * {@link closeAll} does. A channel that a consumer still waits on or holds messages of (loop
   * mode) gets its drain deadline to empty; any other closes at once. Never rejects.
   */
  async closeNamed(names: readonly string[]): Promise<void> {
    await Promise.all(
      names.map(async (name) => {
        const entry = this.entries.get(name);
        if (entry === undefined || entry.channel.state.kind === 'closed') return;
        const { waitingConsumers, inFlight } = entry.channel.stats();
        const consumed = waitingConsumers > 0 || inFlight > 0;
        const timeoutMs = consumed ? channelCore(entry.channel).drainTimeoutMs : 0;
        this.logClosed(name, await entry.channel.close({ timeoutMs }));
      }),
    );
  }

  private logClosed(name: string, report: ChannelCloseReport): void {
    const { returned, deadLettered, stored, inFlight } = report;
    const unconfirmed = report.unconfirmed ?? 0;
    const unacknowledged = report.unacknowledged ?? 0;
    if (returned + deadLettered + stored + inFlight + unconfirmed + unacknowledged === 0) {
      this.log('log', `Channel "${name}" drained and closed.`);
      return;
    }
    const parts = [
      returned > 0
        ? `${countOf(returned, 'request')} returned to ` +
          `${returned === 1 ? 'its sender' : 'their senders'} (ChannelClosedError)`
        : '',
      deadLettered > 0 ? `${countOf(deadLettered, 'one-way message')} dead-lettered` : '',
      stored > 0 ? `${countOf(stored, 'message')} left in storage` : '',
      inFlight > 0
        ? `${countOf(inFlight, 'message')} still in a handler's hands (handled if it finishes ` +
          `before its group's deadline, otherwise returned or dead-lettered)`
        : '',
      unconfirmed > 0 ? `${countOf(unconfirmed, 'send')} not confirmed by the storage yet` : '',
      unacknowledged > 0
        ? `${countOf(unacknowledged, 'acknowledgement')} the storage could not confirm ` +
          `(${unacknowledged === 1 ? 'that message' : 'those messages'} will be delivered again)`
        : '',
    ].filter((part) => part !== '');
    const drained = report.drained ? 'drained, but' : 'closed before it drained:';
    this.log('warn', `Channel "${name}" ${drained} ${parts.join(', ')}.`);
  }

  private logEvent(event: ChannelEvent): void {
    switch (event.type) {
      case 'redelivered':
        // A stop interrupted the delivery (no error): not a failure.
        if (event.error === undefined) return;
        this.failedDeliveriesOf(event.channel).record(
          `Channel "${event.channel}"`,
          event.error,
          `Channel "${event.channel}": delivery ${event.deliveryCount - 1} of message ` +
            `${event.id} failed, redelivering in ${Math.round(event.delayMs)} ms: ${messageOf(event.error)}`,
        );
        return;
      case 'withdrawn':
        // A handler failed after the requester stopped waiting: not redelivered, so say so here.
        if (event.error === undefined) return;
        this.failedDeliveriesOf(event.channel).record(
          `Channel "${event.channel}"`,
          event.error,
          `Channel "${event.channel}": request ${event.id} failed after its requester stopped ` +
            `waiting (timed out or gone), so it is withdrawn, not redelivered: ` +
            messageOf(event.error),
        );
        return;
      case 'dead-lettered':
        // Left over at close: the close summary counts them, one line for all.
        if (isStageError(event.letter.error, 'STAGE_CLOSED_BEFORE_DELIVERY')) return;
        this.log(
          'warn',
          `Channel "${event.channel}" dead-lettered message ${event.letter.id} after ` +
            `${countOf(event.letter.deliveryCount, 'failed delivery', 'failed deliveries')}: ` +
            messageOf(event.letter.error),
        );
        return;
      case 'handler-abandoned':
        this.log(
          'error',
          `A handler of channel "${event.channel}" exceeded ${event.timeoutMs} ms on message ` +
            `${event.id}; its task is replaced and the call abandoned.`,
        );
        return;
      case 'storage-failed':
      case 'hook-failed':
        this.log('error', `Channel "${event.channel}": ${event.type}: ${messageOf(event.error)}`);
        return;
      default:
        return;
    }
  }

  /** The aggregated log of failed deliveries of `channel`, made on first use. */
  private failedDeliveriesOf(channel: string): RepeatLog {
    let failures = this.failedDeliveries.get(channel);
    if (failures === undefined) {
      failures = new RepeatLog(this.gatedLogger, FAILED_DELIVERY_WINDOW_MS, {
        one: 'failed delivery',
        many: 'failed deliveries',
      });
      this.failedDeliveries.set(channel, failures);
    }
    return failures;
  }

  private log(level: 'log' | 'warn' | 'error', message: string): void {
    if (this.configuration.options.logging) this.logger[level](message);
  }
}
