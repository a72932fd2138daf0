import type { ChannelStats } from 'nestjs-stage';
import type { ChaosCounters } from './chaos-topology.js';
import type { LedgerTotals } from './message-ledger.js';

/** One channel's ledger next to the chaos run's own count for it. */
export interface ChannelComparison {
  readonly name: string;
  readonly stats: ChannelStats;
  readonly mine: LedgerTotals;
  /** Every figure on which the two disagree, as a sentence. */
  readonly mismatches: readonly string[];
}

/** Everything a chaos run measured and checked. A run passed when `violations` is empty. */
export interface ChaosReport {
  readonly seed: number;
  readonly messagesRequested: number;
  readonly messagesSent: number;
  readonly sendingMs: number;
  readonly totalMs: number;
  readonly throughputPerSecond: number;
  readonly channels: readonly [ChannelComparison, ChannelComparison];
  /** Messages whose side effect ran more than once, because a redelivery ran it again. */
  readonly duplicatedMessages: number;
  /** The extra runs of side effects, over all duplicated messages. */
  readonly duplicateEffects: number;
  /** Side effects that ran after their delivery was settled (a hung handler finishing late). */
  readonly lateEffects: number;
  /** Random stops of consumer groups and bursts of the flaky group. */
  readonly chaosActions: number;
  readonly counters: Omit<ChaosCounters, 'hookFailures'> & { readonly hookFailures: number };
  readonly unhandledRejections: number;
  readonly maxListenersWarnings: number;
  readonly heapBeforeBytes: number;
  readonly heapAfterBytes: number;
  readonly resourcesBefore: Readonly<Record<string, number>>;
  readonly resourcesAfter: Readonly<Record<string, number>>;
  readonly violations: readonly string[];
}

/** Renders a chaos report as the lines `npm run chaos` prints. */
export function formatChaosReport(report: ChaosReport): string {
  const count = (value: number): string => value.toLocaleString('en-US');
  const lines = [
    `Chaos run, seed ${report.seed}: ${count(report.messagesSent)} of ` +
      `${count(report.messagesRequested)} messages sent in ${seconds(report.sendingMs)} s ` +
      `(${count(Math.round(report.throughputPerSecond))} msg/s), ${seconds(report.totalMs)} s in all`,
  ];
  for (const channel of report.channels) {
    const { stats, mine } = channel;
    lines.push(
      `  ${channel.name}: accepted ${count(stats.accepted)}, handled ${count(stats.handled)}, ` +
        `dead-lettered ${count(stats.deadLettered)}, withdrawn ${count(stats.withdrawn)}, ` +
        `dropped ${count(stats.dropped)}, redeliveries ${count(stats.redeliveries)}; ` +
        `own ledger: ${count(mine.accepted)} / ${count(mine.handled)} / ` +
        `${count(mine.deadLettered)} / ${count(mine.withdrawn)}`,
    );
  }
  const counters = report.counters;
  lines.push(
    `  duplicates by redelivery: ${count(report.duplicatedMessages)} messages ` +
      `(${count(report.duplicateEffects)} extra effects); late effects of hung handlers: ` +
      `${count(report.lateEffects)}`,
    `  chaos actions ${count(report.chaosActions)}; group restarts ${count(counters.groupRestarts)}, ` +
      `give-ups ${count(counters.groupGiveUps)}; supervisor restarts ` +
      `${count(counters.supervisorRestarts)}; abandoned handlers ${count(counters.abandonedHandlers)}; ` +
      `late replies ignored ${count(counters.lateReplies)}`,
    `  unhandled rejections ${report.unhandledRejections}; MaxListenersExceededWarning ` +
      `${report.maxListenersWarnings}; hook failures ${counters.hookFailures}`,
    `  heap ${mib(report.heapBeforeBytes)} -> ${mib(report.heapAfterBytes)} MiB; handles ` +
      `${describeResources(report.resourcesBefore)} -> ${describeResources(report.resourcesAfter)}`,
  );
  if (report.violations.length === 0) lines.push('  no violation');
  else
    lines.push(
      `  ${report.violations.length} VIOLATION(S):`,
      ...report.violations.map((v) => `    - ${v}`),
    );
  return lines.join('\n');
}

function seconds(ms: number): string {
  return (ms / 1000).toFixed(1);
}

function mib(bytes: number): string {
  return (bytes / 2 ** 20).toFixed(1);
}

function describeResources(resources: Readonly<Record<string, number>>): string {
  const entries = Object.entries(resources);
  return entries.length === 0 ? 'none' : entries.map(([type, n]) => `${type} ${n}`).join(', ');
}
