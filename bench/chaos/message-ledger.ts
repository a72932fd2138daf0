/** Which channel a chaos message went to. */
export const LOOP_CHANNEL = 0;
export const HANDLER_CHANNEL = 1;
export type ChaosChannelIndex = typeof LOOP_CHANNEL | typeof HANDLER_CHANNEL;

/** How the sender of a request heard about it. */
export const REQUEST_OUTCOMES = [
  'pending',
  'replied',
  'timed-out',
  'dead-lettered',
  'closed',
  'other',
] as const;
export type RequestOutcome = (typeof REQUEST_OUTCOMES)[number];

/** How the chaos run's own records say an accepted message ended; exactly one is right. */
export interface LedgerTotals {
  readonly accepted: number;
  readonly handled: number;
  readonly deadLettered: number;
  readonly withdrawn: number;
}

/** What {@link MessageLedger.check} found, per channel and overall. */
export interface LedgerCheck {
  readonly perChannel: readonly [LedgerTotals, LedgerTotals];
  /** Messages whose side effect ran more than once, and the extra runs, caused by redelivery. */
  readonly duplicatedMessages: number;
  readonly duplicateEffects: number;
  /** Every broken rule, as a sentence; at most `maxViolations` kept, the rest only counted. */
  readonly violations: readonly string[];
  readonly violationCount: number;
}

const KIND_NONE = 0;
const KIND_SEND = 1;
const KIND_REQUEST = 2;
const OUTCOME_CODE = new Map<RequestOutcome, number>(
  REQUEST_OUTCOMES.map((name, at) => [name, at]),
);

/**
 * The chaos run's own record of every message, kept apart from the channel's ledger so that the
 * two can be compared. Indexed by the message's sequence number (its `seq` in the body), in typed
 * arrays so that a million messages cost a few megabytes outside the JS heap.
 *
 * What it records, and what the consumers and senders must report:
 * - `accepted`: the send resolved, or the request was issued (the chaos channels never make a
 *   request wait for room, so every request issued is accepted).
 * - `effect`: the consumer's work ran (counts duplicates when a redelivery runs it again).
 * - `completion`: the consumer settled the delivery successfully (it was not already settled).
 * - `dead-letter`: the channel reported the message dead-lettered (its body carries `seq`).
 * - the request's outcome, as its sender saw it.
 *
 * At the end, an accepted message has ended as *handled* (a completion), *dead-lettered*, or
 * *withdrawn* (a request that timed out or was closed, and was neither handled nor
 * dead-lettered); {@link MessageLedger.check} demands exactly one of them.
 */
export class MessageLedger {
  /** 0 unused, 1 one-way send, 2 request. */
  private readonly kinds: Uint8Array;
  private readonly channels: Uint8Array;
  private readonly acceptedFlags: Uint8Array;
  private readonly effects: Uint16Array;
  private readonly completions: Uint16Array;
  private readonly deadLetters: Uint16Array;
  private readonly requestOutcomes: Uint8Array;
  /** Replies whose value was not `a + b`. */
  private wrongReplies = 0;
  /** Effects that ran after their delivery had already been settled (an abandoned handler). */
  lateEffects = 0;

  constructor(readonly capacity: number) {
    this.kinds = new Uint8Array(capacity);
    this.channels = new Uint8Array(capacity);
    this.acceptedFlags = new Uint8Array(capacity);
    this.effects = new Uint16Array(capacity);
    this.completions = new Uint16Array(capacity);
    this.deadLetters = new Uint16Array(capacity);
    this.requestOutcomes = new Uint8Array(capacity);
  }

  /** Records that message `seq` is about to be sent to `channel`, one-way or as a request. */
  register(seq: number, channel: ChaosChannelIndex, isRequest: boolean): void {
    this.kinds[seq] = isRequest ? KIND_REQUEST : KIND_SEND;
    this.channels[seq] = channel;
  }

  accepted(seq: number): void {
    this.acceptedFlags[seq] = 1;
  }

  effect(seq: number): void {
    this.effects[seq] = saturatingIncrement(this.effects[seq]);
  }

  completed(seq: number): void {
    this.completions[seq] = saturatingIncrement(this.completions[seq]);
  }

  deadLettered(seq: number): void {
    this.deadLetters[seq] = saturatingIncrement(this.deadLetters[seq]);
  }

  requestSettled(seq: number, outcome: RequestOutcome): void {
    this.requestOutcomes[seq] = OUTCOME_CODE.get(outcome) ?? 0;
  }

  wrongReply(): void {
    this.wrongReplies += 1;
  }

  /** Requests whose sender has not heard back yet. */
  pendingRequests(upTo: number): number {
    let pending = 0;
    for (let seq = 0; seq < upTo; seq += 1) {
      if (this.kinds[seq] === KIND_REQUEST && this.requestOutcomes[seq] === 0) pending += 1;
    }
    return pending;
  }

  /**
   * Checks every message registered below `upTo`: each accepted one ended exactly one way, no
   * message was handled twice, each request's sender heard what happened to it, and no reply was
   * wrong. Duplicated side effects are counted, not treated as violations (at-least-once).
   */
  check(upTo: number, maxViolations = 20): LedgerCheck {
    const totals = [emptyTotals(), emptyTotals()];
    const violations: string[] = [];
    let violationCount = 0;
    let duplicatedMessages = 0;
    let duplicateEffects = 0;
    const violate = (text: string): void => {
      violationCount += 1;
      if (violations.length < maxViolations) violations.push(text);
    };

    for (let seq = 0; seq < upTo; seq += 1) {
      const kind = this.kinds[seq];
      if (kind === KIND_NONE) continue;
      const effects = this.effects[seq];
      if (effects > 1) {
        duplicatedMessages += 1;
        duplicateEffects += effects - 1;
      }
      const outcome = REQUEST_OUTCOMES[this.requestOutcomes[seq]];
      if (this.acceptedFlags[seq] === 0) {
        if (effects > 0) violate(`message ${seq} was never accepted but was handled`);
        continue;
      }

      const handled = this.completions[seq] > 0;
      const deadLettered = this.deadLetters[seq] > 0;
      const withdrawn =
        kind === KIND_REQUEST &&
        (outcome === 'timed-out' || outcome === 'closed') &&
        !handled &&
        !deadLettered;
      const ends = Number(handled) + Number(deadLettered) + Number(withdrawn);
      const total = totals[this.channels[seq]];
      total.accepted += 1;
      if (handled) total.handled += 1;
      if (deadLettered) total.deadLettered += 1;
      if (withdrawn) total.withdrawn += 1;

      if (ends === 0) violate(`message ${seq} was accepted and then lost (${describe(kind)})`);
      if (ends > 1) violate(`message ${seq} ended more than one way (handled and dead-lettered)`);
      if (this.completions[seq] > 1)
        violate(`message ${seq} was handled ${this.completions[seq]} times`);
      if (this.deadLetters[seq] > 1) violate(`message ${seq} was dead-lettered twice`);
      if (kind === KIND_REQUEST) this.checkRequest(seq, outcome, handled, deadLettered, violate);
    }
    if (this.wrongReplies > 0) violate(`${this.wrongReplies} replies were not a + b`);

    return {
      perChannel: [totals[0], totals[1]],
      duplicatedMessages,
      duplicateEffects,
      violations,
      violationCount,
    };
  }

  private checkRequest(
    seq: number,
    outcome: RequestOutcome,
    handled: boolean,
    deadLettered: boolean,
    violate: (text: string) => void,
  ): void {
    if (outcome === 'pending') violate(`request ${seq} never settled`);
    else if (outcome === 'replied' && !handled) violate(`request ${seq} got a reply, unhandled`);
    else if (outcome === 'dead-lettered' && !deadLettered) {
      violate(`request ${seq} rejected as dead-lettered, but no dead letter was reported`);
    } else if (outcome === 'dead-lettered' && handled) {
      violate(`request ${seq} rejected as dead-lettered, but it was handled`);
    } else if (outcome === 'timed-out' && deadLettered) {
      violate(`request ${seq} timed out, yet was dead-lettered afterwards`);
    } else if (outcome === 'other') violate(`request ${seq} rejected with an unexpected error`);
  }
}

function emptyTotals(): {
  accepted: number;
  handled: number;
  deadLettered: number;
  withdrawn: number;
} {
  return { accepted: 0, handled: 0, deadLettered: 0, withdrawn: 0 };
}

function saturatingIncrement(value: number): number {
  return value === 0xffff ? value : value + 1;
}

function describe(kind: number): string {
  return kind === KIND_REQUEST ? 'request' : 'one-way';
}
