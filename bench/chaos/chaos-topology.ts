import {
  Channel,
  Supervisor,
  TaskGroup,
  handleChannel,
  type ChannelEvent,
  type Delivery,
  type GroupEvent,
  type SupervisorEvent,
  type TaskContext,
} from 'nestjs-stage';
import type { ResolvedChaosOptions } from './chaos-options.js';
import type { Fate, MessageFates } from './message-fate.js';
import type { MessageLedger } from './message-ledger.js';
import type { SeededRandom } from './seeded-random.js';

/** The body of every chaos message: its sequence number and the adder's operands. */
export interface ChaosMessage {
  readonly seq: number;
  readonly a: number;
  readonly b: number;
}

/** What the topology saw happen, from Stage's events. */
export interface ChaosCounters {
  groupRestarts: number;
  groupGiveUps: number;
  supervisorRestarts: number;
  redeliveries: number;
  deadLetterEvents: number;
  withdrawnEvents: number;
  abandonedHandlers: number;
  lateReplies: number;
  /** `hook-failed` / `listener-failed` events: Stage caught an error of its own or of a hook. */
  hookFailures: string[];
}

/** The channels, groups and supervisor tree a chaos run drives. */
export interface ChaosTopology {
  readonly loopChannel: Channel<ChaosMessage>;
  readonly handlerChannel: Channel<ChaosMessage, number>;
  readonly loopGroup: TaskGroup;
  readonly handlerGroup: TaskGroup;
  readonly flakyGroup: TaskGroup;
  /** rest-for-one over [flaky, loop consumers, handler consumers], intensity unlimited. */
  readonly tree: Supervisor;
  readonly counters: ChaosCounters;
  /** Makes the flaky group fail at once on every run until it gives up (and is restarted). */
  burst(): void;
  /** Handler runs still sleeping past their timeout; the run ends only once none is left. */
  readonly hangingHandlers: () => number;
}

const DELIVERY_FAILURE = new Error('chaos: planned delivery failure');
const BURST_FAILURE = new Error('chaos: planned burst failure');
/** How long a hung handler takes; its timeout is much shorter. */
const HANG_MS = 60;
/** How long a slow delivery takes; under the handler timeout. */
const SLOW_MS = 5;
const HANDLER_TIMEOUT_MS = 25;

/**
 * Builds the chaos topology: a loop-mode channel and a handler-mode channel, each consumed by a
 * group, and a `flaky` group that gives up on demand, all under one rest-for-one supervisor so
 * that each give-up of `flaky` makes the supervisor restart both consumer groups. Every group,
 * channel and the supervisor report into {@link ChaosCounters}. Nothing is started.
 */
export function buildChaosTopology(options: {
  readonly chaos: ResolvedChaosOptions;
  readonly fates: MessageFates;
  readonly ledger: MessageLedger;
  readonly random: SeededRandom;
}): ChaosTopology {
  const { chaos, fates, ledger } = options;
  const random = (): number => options.random.next();
  const counters: ChaosCounters = {
    groupRestarts: 0,
    groupGiveUps: 0,
    supervisorRestarts: 0,
    redeliveries: 0,
    deadLetterEvents: 0,
    withdrawnEvents: 0,
    abandonedHandlers: 0,
    lateReplies: 0,
    hookFailures: [],
  };
  const redelivery = { minMs: 1, maxMs: 10, random };
  const loopChannel = new Channel<ChaosMessage>({
    name: 'chaos-loop',
    maxDeliveries: 4,
    redelivery,
  });
  // Large enough never to make a request wait for room: every request issued is accepted.
  const handlerChannel = new Channel<ChaosMessage, number>({
    name: 'chaos-handler',
    capacity: 200_000,
    maxDeliveries: 4,
    redelivery,
  });

  const settle = (delivery: Delivery<ChaosMessage, unknown>): boolean => {
    ledger.effect(delivery.body.seq);
    if (delivery.settled) {
      ledger.lateEffects += 1;
      return false;
    }
    return true;
  };

  const loopTask = async (ctx: TaskContext): Promise<void> => {
    for await (const delivery of loopChannel.consume(ctx)) {
      const fate = fates.fate(delivery.body.seq, delivery.deliveryCount);
      if (fate === 'fail-before') throw DELIVERY_FAILURE;
      if (fate === 'slow') await sleep(SLOW_MS);
      else if (fate !== 'sync') await new Promise<void>((resolve) => setImmediate(resolve));
      if (!settle(delivery)) continue;
      if (fate === 'fail-after') throw DELIVERY_FAILURE;
      delivery.ack();
      ledger.completed(delivery.body.seq);
    }
  };

  let hanging = 0;
  const finish = (body: ChaosMessage, delivery: Delivery<ChaosMessage, number>, fate: Fate) => {
    if (!settle(delivery)) return -1;
    if (fate === 'fail-after') throw DELIVERY_FAILURE;
    ledger.completed(body.seq);
    return body.a + body.b;
  };
  const handler = (body: ChaosMessage, delivery: Delivery<ChaosMessage, number>) => {
    const fate = fates.fate(body.seq, delivery.deliveryCount);
    if (fate === 'fail-before') throw DELIVERY_FAILURE;
    if (fate === 'sync' || fate === 'fail-after') return finish(body, delivery, fate);
    if (fate === 'async') return Promise.resolve().then(() => finish(body, delivery, fate));
    if (fate === 'slow') return sleep(SLOW_MS).then(() => finish(body, delivery, fate));
    hanging += 1;
    return sleep(HANG_MS).then(() => {
      hanging -= 1;
      return finish(body, delivery, fate);
    });
  };

  const consumerGroup = (name: string, task: (ctx: TaskContext) => Promise<void>) =>
    new TaskGroup({
      name,
      size: chaos.consumers,
      task,
      backoff: { minMs: 1, maxMs: 8, random },
      intensity: false,
      shutdownTimeoutMs: 500,
    });
  const loopGroup = consumerGroup('loop-consumers', loopTask);
  const handlerGroup = consumerGroup(
    'handler-consumers',
    handleChannel(handlerChannel, handler, { handlerTimeoutMs: HANDLER_TIMEOUT_MS }),
  );

  let bursting = false;
  const waitingFlaky = new Set<() => void>();
  const flakyGroup = new TaskGroup({
    name: 'flaky',
    restart: 'always',
    backoff: { minMs: 0 },
    intensity: { maxRestarts: 3, withinMs: 60_000 },
    task: (ctx) =>
      new Promise<void>((resolve, reject) => {
        if (bursting) throw BURST_FAILURE;
        const onBurst = (): void => {
          ctx.signal.removeEventListener('abort', onAbort);
          reject(BURST_FAILURE);
        };
        const onAbort = (): void => {
          waitingFlaky.delete(onBurst);
          resolve();
        };
        waitingFlaky.add(onBurst);
        ctx.signal.addEventListener('abort', onAbort, { once: true });
      }),
  });

  const tree = new Supervisor({ name: 'chaos', strategy: 'rest-for-one', intensity: false });
  tree.add(flakyGroup, { shutdownTimeoutMs: 500 });
  tree.add(loopGroup, { shutdownTimeoutMs: 500 });
  tree.add(handlerGroup, { shutdownTimeoutMs: 500 });

  const onGroupEvent = (event: GroupEvent): void => {
    if (event.type === 'restarting') counters.groupRestarts += 1;
    else if (event.type === 'gave-up') {
      counters.groupGiveUps += 1;
      if (event.group === 'flaky') bursting = false;
    } else if (event.type === 'hook-failed') {
      counters.hookFailures.push(`group ${event.group} ${event.hook}: ${event.error.message}`);
    }
  };
  for (const group of [loopGroup, handlerGroup, flakyGroup]) group.on(onGroupEvent);
  tree.on((event: SupervisorEvent) => {
    if (event.type === 'restarting') counters.supervisorRestarts += 1;
    else if (event.type === 'hook-failed') {
      counters.hookFailures.push(`supervisor ${event.hook}: ${event.error.message}`);
    }
  });
  const onChannelEvent = (event: ChannelEvent): void => {
    const type: string = event.type;
    if (event.type === 'redelivered') counters.redeliveries += 1;
    else if (event.type === 'dead-lettered') {
      counters.deadLetterEvents += 1;
      ledger.deadLettered((event.letter.body as ChaosMessage).seq);
    } else if (event.type === 'withdrawn') counters.withdrawnEvents += 1;
    else if (event.type === 'handler-abandoned') counters.abandonedHandlers += 1;
    else if (event.type === 'late-reply-ignored') counters.lateReplies += 1;
    else if (type === 'hook-failed' || type === 'listener-failed') {
      counters.hookFailures.push(`channel ${event.channel}: ${type}`);
    }
  };
  loopChannel.on(onChannelEvent);
  handlerChannel.on(onChannelEvent);

  return {
    loopChannel,
    handlerChannel,
    loopGroup,
    handlerGroup,
    flakyGroup,
    tree,
    counters,
    burst() {
      bursting = true;
      for (const onBurst of [...waitingFlaky]) {
        waitingFlaky.delete(onBurst);
        onBurst();
      }
    },
    hangingHandlers: () => hanging,
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
