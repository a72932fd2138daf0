import { afterEach } from 'vitest';
import { Channel } from './channel.js';
import type { ChannelOptions } from './channel-options.js';
import type { ChannelStorage } from './channel-storage.js';
import { TaskGroup } from '../group/task-group.js';
import type { TaskContext } from '../group/task-context.js';

/** What a storage must keep for the suite, when the storage owns the setting (Redis does). */
export interface BehaviourStorageOptions {
  /** How many dead letters are kept; `undefined` for the default. */
  readonly deadLetterCapacity?: number;
}

/** How the behaviour suite gets a storage for each channel it builds. */
export interface BehaviourTarget {
  /**
   * A fresh storage for a channel named `name`, keeping `options`; `undefined` for the in-memory
   * default, in which case the channel is given `options` itself.
   */
  readonly storage: (
    name: string,
    options: BehaviourStorageOptions,
  ) => ChannelStorage<unknown> | undefined;
}

/** The options of a channel the suite builds: its name and storage come from the harness. */
export type BehaviourChannelOptions<TMessage> = Omit<ChannelOptions<TMessage>, 'name' | 'storage'>;

/**
 * What each part of the behaviour suite builds its channels and groups with. Everything built is
 * closed (channels first, so that they drain, then groups) after each test.
 */
export interface BehaviourHarness {
  /** A channel of a fresh name on the target's storage. */
  channel<TMessage, TReply = void>(
    options?: BehaviourChannelOptions<TMessage>,
  ): Channel<TMessage, TReply>;
  /** A started group of `size` tasks with a short backoff. */
  group(name: string, task: (ctx: TaskContext) => Promise<void>, size?: number): TaskGroup;
}

/** Waits, with real timers (the storage may do real I/O). */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Waits until `condition` holds, polling, or fails after `timeoutMs`. */
export async function eventually(
  condition: () => boolean | Promise<boolean>,
  timeoutMs = 5_000,
  what = 'the condition',
): Promise<void> {
  for (let waited = 0; !(await condition()); waited += 10) {
    if (waited >= timeoutMs) throw new Error(`${what} did not hold within ${timeoutMs} ms`);
    await sleep(10);
  }
}

/** The harness of one run of the suite on `target`; call it inside that run's `describe`. */
export function behaviourHarness(target: BehaviourTarget): BehaviourHarness {
  let channels: Channel<unknown, unknown>[] = [];
  let groups: TaskGroup[] = [];
  let counter = 0;

  afterEach(async () => {
    await Promise.all(channels.map((each) => each.close({ timeoutMs: 200 })));
    await Promise.all(groups.map((each) => each.stop({ timeoutMs: 200 })));
    channels = [];
    groups = [];
  });

  return {
    channel<TMessage, TReply = void>(
      options: BehaviourChannelOptions<TMessage> = {},
    ): Channel<TMessage, TReply> {
      const name = `behaviour-${++counter}`;
      const { deadLetterCapacity, ...own } = options;
      const storage = target.storage(name, { deadLetterCapacity }) as
        ChannelStorage<TMessage> | undefined;
      const built = new Channel<TMessage, TReply>({
        name,
        ...own,
        ...(storage === undefined ? { deadLetterCapacity } : { storage }),
      });
      channels.push(built);
      return built;
    },

    group(name: string, task: (ctx: TaskContext) => Promise<void>, size = 1): TaskGroup {
      const built = new TaskGroup({ name, size, task, backoff: { minMs: 5, maxMs: 20 } });
      groups.push(built);
      built.start();
      return built;
    },
  };
}
