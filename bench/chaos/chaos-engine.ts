import { isStageError, type ChannelStats } from 'nestjs-stage';
import { resolveChaosOptions, type ChaosOptions } from './chaos-options.js';
import type { ChaosReport, ChannelComparison } from './chaos-report.js';
import { buildChaosTopology, type ChaosMessage, type ChaosTopology } from './chaos-topology.js';
import { MessageFates } from './message-fate.js';
import {
  HANDLER_CHANNEL,
  LOOP_CHANNEL,
  MessageLedger,
  type LedgerTotals,
  type RequestOutcome,
} from './message-ledger.js';
import { ProcessWatch, leakedResources, snapshotProcess } from './process-watch.js';
import { SeededRandom } from './seeded-random.js';

/** Messages a producer sends before yielding to the event loop, so timers and restarts run. */
const PRODUCER_BURST = 32;
/** Requests in flight at most; past it producers wait. */
const MAX_PENDING_REQUESTS = 2_000;
/** Messages buffered in the handler channel at most (its capacity is far above). */
const MAX_HANDLER_BUFFERED = 20_000;
const PRODUCERS = 4;

/**
 * Runs a seeded chaos run: `messages` messages through a loop-mode and a handler-mode channel
 * consumed by supervised groups, with failures injected on a share of deliveries, poison
 * messages, hung handlers, requests with random timeouts, consumer groups stopped and restarted
 * at random, and a supervisor restarting its tree whenever a flaky sibling gives up.
 *
 * At the end it checks, against its own independent ledger and against each channel's ledger,
 * that every accepted message ended exactly one way; it counts duplicate side effects caused by
 * redelivery; and it checks that no unhandled rejection, no `MaxListenersExceededWarning`, no
 * leftover timer and no unexplained heap growth occurred. Every broken rule is a violation in
 * the report; the run itself never throws for one.
 *
 * @throws {InvalidOptionError} for bad options, before anything runs.
 */
export async function runChaos(input: ChaosOptions): Promise<ChaosReport> {
  const options = resolveChaosOptions(input);
  const ledger = new MessageLedger(options.messages);
  const fates = new MessageFates(options);
  const random = new SeededRandom(options.seed);
  const watch = new ProcessWatch();
  const before = await snapshotProcess();
  const startedAt = performance.now();
  const violations: string[] = [];

  const topology = buildChaosTopology({ chaos: options, fates, ledger, random });
  topology.tree.start();
  topology.loopChannel.markStarted();
  topology.handlerChannel.markStarted();

  let nextSeq = 0;
  let pendingRequests = 0;
  let chaosActions = 0;
  const sendingEndsAt = startedAt + options.durationMs;
  const sending = (): boolean => nextSeq < options.messages && performance.now() < sendingEndsAt;

  const issueRequest = (seq: number, body: ChaosMessage): void => {
    pendingRequests += 1;
    ledger.accepted(seq);
    const timeoutMs = fates.requestTimeoutMs(seq);
    topology.handlerChannel.request(body, { timeoutMs }).then(
      (sum) => {
        if (sum !== body.a + body.b) ledger.wrongReply();
        settleRequest(seq, 'replied');
      },
      (error: unknown) => settleRequest(seq, classify(error)),
    );
  };
  const settleRequest = (seq: number, outcome: RequestOutcome): void => {
    pendingRequests -= 1;
    ledger.requestSettled(seq, outcome);
  };

  const produce = async (): Promise<void> => {
    let sinceYield = 0;
    while (sending()) {
      const seq = nextSeq;
      nextSeq += 1;
      const body: ChaosMessage = { seq, a: seq, b: seq & 0xff };
      const route = fates.route(seq);
      ledger.register(
        seq,
        route === 'loop-send' ? LOOP_CHANNEL : HANDLER_CHANNEL,
        route === 'handler-request',
      );
      try {
        if (route === 'loop-send') await topology.loopChannel.send(body);
        else if (route === 'handler-send') await topology.handlerChannel.send(body);
        else issueRequest(seq, body);
        if (route !== 'handler-request') ledger.accepted(seq);
      } catch (error) {
        violations.push(`send of message ${seq} rejected: ${describe(error)}`);
      }

      sinceYield += 1;
      if (sinceYield >= PRODUCER_BURST) {
        sinceYield = 0;
        await nextTurn();
        while (
          pendingRequests > MAX_PENDING_REQUESTS ||
          topology.handlerChannel.stats().buffered > MAX_HANDLER_BUFFERED
        ) {
          await sleep(1);
        }
      }
    }
  };

  const driveChaos = async (): Promise<void> => {
    const consumers = [topology.loopGroup.name, topology.handlerGroup.name];
    while (sending()) {
      await sleep(random.integer(10, 100));
      const draw = random.next();
      try {
        if (draw < 0.45) {
          chaosActions += 1;
          const name = random.pick(consumers);
          await topology.tree.stopChild(name);
          await sleep(random.integer(0, 20));
          await topology.tree.startChild(name);
        } else if (draw < 0.6) {
          chaosActions += 1;
          topology.burst();
        }
      } catch (error) {
        violations.push(`chaos action failed: ${describe(error)}`);
      }
    }
  };

  const progress = setInterval(() => {
    options.onProgress(`chaos: ${nextSeq.toLocaleString('en-US')} messages sent`);
  }, 5_000);
  try {
    await Promise.all([...Array.from({ length: PRODUCERS }, produce), driveChaos()]);
  } finally {
    clearInterval(progress);
  }
  const sendingMs = performance.now() - startedAt;

  const drained = await drain(topology, options.drainTimeoutMs, () => pendingRequests);
  if (!drained) violations.push(`not drained within ${options.drainTimeoutMs} ms`);
  const treeReport = await topology.tree.stop();
  await topology.loopChannel.close({ timeoutMs: 1_000 });
  await topology.handlerChannel.close({ timeoutMs: 1_000 });
  const totalMs = performance.now() - startedAt;

  const check = ledger.check(nextSeq);
  violations.push(...check.violations);
  if (check.violationCount > check.violations.length) {
    violations.push(
      `... and ${check.violationCount - check.violations.length} more ledger violations`,
    );
  }
  const channels: readonly [ChannelComparison, ChannelComparison] = [
    compareChannel('chaos-loop', topology.loopChannel.stats(), check.perChannel[LOOP_CHANNEL]),
    compareChannel(
      'chaos-handler',
      topology.handlerChannel.stats(),
      check.perChannel[HANDLER_CHANNEL],
    ),
  ];
  for (const channel of channels) violations.push(...channel.mismatches);
  if (!treeReport.clean) violations.push('the supervisor tree did not stop cleanly');
  violations.push(...topology.counters.hookFailures.map((text) => `hook failed: ${text}`));

  await sleep(5);
  const after = await snapshotProcess();
  watch.dispose();
  violations.push(...leakedResources(before, after));
  const heapGrowthBytes = after.heapUsedBytes - before.heapUsedBytes;
  const heapBudget = 16 * 2 ** 20 + 32 * nextSeq;
  if (options.checkHeap && heapGrowthBytes > heapBudget) {
    violations.push(`heap grew by ${mib(heapGrowthBytes)} MiB (budget ${mib(heapBudget)} MiB)`);
  }
  if (watch.unhandledRejections > 0) {
    violations.push(`${watch.unhandledRejections} unhandled rejection(s)`);
  }
  if (watch.maxListenersWarnings > 0) {
    violations.push(`${watch.maxListenersWarnings} MaxListenersExceededWarning(s)`);
  }
  violations.push(...watch.samples);

  return {
    seed: options.seed,
    messagesRequested: options.messages,
    messagesSent: nextSeq,
    sendingMs,
    totalMs,
    throughputPerSecond: (nextSeq * 1000) / sendingMs,
    channels,
    duplicatedMessages: check.duplicatedMessages,
    duplicateEffects: check.duplicateEffects,
    lateEffects: ledger.lateEffects,
    chaosActions,
    counters: { ...topology.counters, hookFailures: topology.counters.hookFailures.length },
    unhandledRejections: watch.unhandledRejections,
    maxListenersWarnings: watch.maxListenersWarnings,
    heapBeforeBytes: before.heapUsedBytes,
    heapAfterBytes: after.heapUsedBytes,
    resourcesBefore: before.resources,
    resourcesAfter: after.resources,
    violations,
  };
}

/** Waits until both channels are empty, nothing is in flight and every request has settled. */
async function drain(
  topology: ChaosTopology,
  timeoutMs: number,
  pendingRequests: () => number,
): Promise<boolean> {
  for (const name of [topology.loopGroup.name, topology.handlerGroup.name]) {
    await topology.tree.startChild(name);
  }
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    const idle =
      isIdle(topology.loopChannel.stats()) &&
      isIdle(topology.handlerChannel.stats()) &&
      pendingRequests() === 0 &&
      topology.hangingHandlers() === 0;
    if (idle) return true;
    await sleep(5);
  }
  return false;
}

function isIdle(stats: ChannelStats): boolean {
  return stats.buffered === 0 && stats.inFlight === 0 && stats.delayed === 0;
}

/** Compares a channel's own ledger with the chaos run's, figure by figure. */
function compareChannel(name: string, stats: ChannelStats, mine: LedgerTotals): ChannelComparison {
  const mismatches: string[] = [];
  const expect = (what: string, theirs: number, ours: number): void => {
    if (theirs !== ours)
      mismatches.push(`${name}: ${what} is ${theirs} in the channel, ${ours} here`);
  };
  expect('accepted', stats.accepted, mine.accepted);
  expect('handled', stats.handled, mine.handled);
  expect('deadLettered', stats.deadLettered, mine.deadLettered);
  expect('withdrawn', stats.withdrawn, mine.withdrawn);
  expect('dropped', stats.dropped, 0);
  expect('stored', stats.stored, 0);
  expect('buffered + inFlight + delayed', stats.buffered + stats.inFlight + stats.delayed, 0);
  return { name, stats, mine, mismatches };
}

function classify(error: unknown): RequestOutcome {
  if (isStageError(error, 'STAGE_REQUEST_TIMEOUT')) return 'timed-out';
  if (isStageError(error, 'STAGE_DEAD_LETTERED')) return 'dead-lettered';
  if (isStageError(error, 'STAGE_CHANNEL_CLOSED')) return 'closed';
  return 'other';
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

function mib(bytes: number): string {
  return (bytes / 2 ** 20).toFixed(1);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
