import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { causeChain } from '../errors/cause-chain.js';
import { isStageError } from '../errors/stage-error.js';
import { SupervisorGaveUpError } from '../errors/supervisor-gave-up-error.js';
import type { ChildExit, ChildParent, SupervisedChild } from './child.js';
import { FakeChild } from './fake-child.spec-helper.js';
import { Supervisor } from './supervisor.js';
import type { SupervisorEvent } from './supervisor-events.js';

/** A parent that records what its child escalates. */
function recordingParent(): ChildParent & { readonly exits: ChildExit[] } {
  const exits: ChildExit[] = [];
  return {
    path: ['parent'],
    exits,
    childExited: (_child: SupervisedChild, exit: ChildExit) => {
      exits.push(exit);
    },
  };
}

/** The give-up error a parent received with a failed exit. */
function gaveUpError(exit: ChildExit | undefined): SupervisorGaveUpError {
  if (exit?.kind !== 'failed') throw new Error(`expected a failed exit, got ${String(exit?.kind)}`);
  expect(exit.error).toBeInstanceOf(SupervisorGaveUpError);
  return exit.error as SupervisorGaveUpError;
}

/** Fails `child` `times` times, letting each restart happen. */
async function failRepeatedly(child: FakeChild, times: number): Promise<void> {
  for (let i = 0; i < times; i++) {
    child.fail(new Error(`failure ${i + 1}`));
    await vi.advanceTimersByTimeAsync(0);
  }
}

describe('Supervisor', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  describe('intensity', () => {
    it('gives up past its intensity: stops every child in reverse order, then escalates', async () => {
      const log: string[] = [];
      const parent = recordingParent();
      const supervisor = new Supervisor({
        name: 'app',
        intensity: { maxRestarts: 2, withinMs: 10_000 },
      });
      const events: SupervisorEvent['type'][] = [];
      supervisor.on((event) => events.push(event.type));
      supervisor.setParent(parent);
      const [a, b, c] = ['a', 'b', 'c'].map((name) => new FakeChild(name, { log }));
      for (const child of [a!, b!, c!]) supervisor.add(child);
      supervisor.start();

      await failRepeatedly(b!, 2);
      log.length = 0;
      b!.fail(new Error('for good'));
      await vi.advanceTimersByTimeAsync(0);

      expect(log).toEqual(['stop:c', 'stop:b', 'stop:a']);
      expect(events.slice(-3)).toEqual(['child-exited', 'intensity-exceeded', 'escalated']);
      expect(parent.exits).toHaveLength(1);
      const error = gaveUpError(parent.exits[0]);
      expect(isStageError(error, 'STAGE_SUPERVISOR_GAVE_UP')).toBe(true);
      expect(error).toMatchObject({
        path: ['parent', 'app'],
        child: ['parent', 'app', 'b'],
        intensity: { maxRestarts: 2, withinMs: 10_000 },
      });
      expect(error.cause).toEqual(new Error('for good'));
      expect(error.message).toMatch(/Supervisor "parent\/app" gave up: .* more than 2 restarts/);
      expect(supervisor.status().state).toMatchObject({ kind: 'gave-up', error });
    });

    it('counts restarts within a sliding window', async () => {
      const supervisor = new Supervisor({
        name: 'app',
        intensity: { maxRestarts: 2, withinMs: 1_000 },
      });
      const child = new FakeChild('a');
      supervisor.add(child);
      supervisor.start();

      for (let i = 0; i < 6; i++) {
        child.fail();
        await vi.advanceTimersByTimeAsync(600);
      }
      expect(supervisor.status().state.kind).toBe('running');

      await vi.advanceTimersByTimeAsync(1_000);
      await failRepeatedly(child, 2);
      expect(supervisor.status().state.kind).toBe('running');
      child.fail();
      await vi.advanceTimersByTimeAsync(0);
      expect(supervisor.status().state.kind).toBe('gave-up');
    });

    it('never gives up when intensity is false', async () => {
      const supervisor = new Supervisor({ name: 'app', intensity: false });
      const child = new FakeChild('a');
      supervisor.add(child);
      supervisor.start();

      await failRepeatedly(child, 50);

      expect(supervisor.status().state.kind).toBe('running');
      expect(child.starts).toBe(51);
    });

    it('counts a completion under the always policy, and gives up with no cause', async () => {
      const parent = recordingParent();
      const supervisor = new Supervisor({
        name: 'app',
        intensity: { maxRestarts: 0, withinMs: 1_000 },
      });
      supervisor.setParent(parent);
      const child = new FakeChild('loop', { restart: 'always' });
      supervisor.add(child);
      supervisor.start();

      child.complete();
      await vi.advanceTimersByTimeAsync(0);

      const error = gaveUpError(parent.exits[0]);
      expect(error.exit).toEqual({ kind: 'completed' });
      expect(error.cause).toBeUndefined();
      expect(error.message).toMatch(/"parent\/app\/loop" completed, and its restart policy/);
    });

    it('stays gave-up without a parent, and start() begins a new run', async () => {
      const supervisor = new Supervisor({
        name: 'app',
        intensity: { maxRestarts: 0, withinMs: 1 },
      });
      const child = new FakeChild('a');
      supervisor.add(child);
      supervisor.start();
      child.fail();
      await vi.advanceTimersByTimeAsync(0);
      expect(supervisor.status().state.kind).toBe('gave-up');

      supervisor.start();

      expect(supervisor.status().state.kind).toBe('running');
      expect(child.running).toBe(true);
    });
  });

  describe('escalation', () => {
    it('goes up through two levels, each restarting or giving up by its own intensity', async () => {
      const parent = recordingParent();
      const top = new Supervisor({ name: 'top', intensity: { maxRestarts: 1, withinMs: 60_000 } });
      const middle = new Supervisor({
        name: 'middle',
        intensity: { maxRestarts: 0, withinMs: 60_000 },
      });
      const leaf = new FakeChild('leaf');
      top.setParent(parent);
      middle.add(leaf);
      top.add(middle);
      top.start();

      leaf.fail(new Error('disk full'));
      await vi.advanceTimersByTimeAsync(0);
      expect(top.status().restarts).toBe(1);
      expect(leaf.starts).toBe(2);
      expect(parent.exits).toEqual([]);

      leaf.fail(new Error('disk still full'));
      await vi.advanceTimersByTimeAsync(0);

      expect(parent.exits).toHaveLength(1);
      const error = gaveUpError(parent.exits[0]);
      const chain = causeChain(error);
      expect(chain.map((link) => (isStageError(link) ? link.code : link.message))).toEqual([
        'STAGE_SUPERVISOR_GAVE_UP',
        'STAGE_SUPERVISOR_GAVE_UP',
        'disk still full',
      ]);
      expect(error).toMatchObject({ path: ['parent', 'top'], child: ['parent', 'top', 'middle'] });
      expect(chain[1]).toMatchObject({
        path: ['parent', 'top', 'middle'],
        child: ['parent', 'top', 'middle', 'leaf'],
      });
      expect(leaf.running).toBe(false);
    });

    it('escalates nothing when a stop arrives during the give-up', async () => {
      const parent = recordingParent();
      const supervisor = new Supervisor({
        name: 'app',
        intensity: { maxRestarts: 0, withinMs: 1 },
      });
      supervisor.setParent(parent);
      const failing = new FakeChild('failing');
      supervisor.add(failing);
      supervisor.add(new FakeChild('slow', { stopDelayMs: 100 }));
      supervisor.start();

      failing.fail();
      await vi.advanceTimersByTimeAsync(10);
      expect(supervisor.status().state.kind).toBe('giving-up');
      const stopping = supervisor.stop();
      await vi.advanceTimersByTimeAsync(200);
      await stopping;

      expect(parent.exits).toEqual([]);
      expect(supervisor.status().state.kind).toBe('stopped');
    });

    it('reports a parent whose childExited throws, and stays gave-up', async () => {
      const supervisor = new Supervisor({
        name: 'app',
        intensity: { maxRestarts: 0, withinMs: 1 },
      });
      supervisor.setParent({
        path: ['parent'],
        childExited: () => {
          throw new Error('parent broke');
        },
      });
      const hooks: SupervisorEvent[] = [];
      supervisor.on((event) => event.type === 'hook-failed' && hooks.push(event));
      const child = new FakeChild('a');
      supervisor.add(child);
      supervisor.start();

      child.fail();
      await vi.advanceTimersByTimeAsync(0);

      expect(hooks).toMatchObject([
        { hook: 'parent.childExited', error: { message: 'parent broke' } },
      ]);
      expect(supervisor.status().state.kind).toBe('gave-up');
    });

    it('begins a new run after the give-up when start() is called during it', async () => {
      const supervisor = new Supervisor({
        name: 'app',
        intensity: { maxRestarts: 0, withinMs: 1 },
      });
      const failing = new FakeChild('failing');
      supervisor.add(failing);
      supervisor.add(new FakeChild('slow', { stopDelayMs: 100 }));
      supervisor.start();

      failing.fail();
      await vi.advanceTimersByTimeAsync(10);
      supervisor.start();
      await vi.advanceTimersByTimeAsync(200);

      expect(supervisor.status().state.kind).toBe('running');
      expect(failing.starts).toBe(2);
    });
  });
});
