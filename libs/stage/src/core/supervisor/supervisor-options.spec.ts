import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { InvalidOptionError } from '../errors/invalid-option-error.js';
import type { SupervisedChild } from './child.js';
import { FakeChild } from './fake-child.spec-helper.js';
import { Supervisor } from './supervisor.js';
import type { SupervisorOptions } from './supervisor-options.js';

/** Builds a supervisor from options a JavaScript caller could pass. */
function build(options: unknown): Supervisor {
  return new Supervisor(options as SupervisorOptions);
}

describe('Supervisor', () => {
  describe('options', () => {
    it.each([
      [{ name: 'app', strategy: 'one-for-some' }, 'strategy'],
      [{ name: 'app', intensity: { maxRestarts: -1, withinMs: 1_000 } }, 'intensity.maxRestarts'],
      [{ name: 'app', intensity: { maxRestarts: 1.5, withinMs: 1_000 } }, 'intensity.maxRestarts'],
      [{ name: 'app', intensity: { maxRestarts: 1, withinMs: 0 } }, 'intensity.withinMs'],
      [{ name: 'app', intensity: 'lots' }, 'intensity'],
      [{ name: 'app', restart: 'sometimes' }, 'restart'],
      [{ name: 'app', backoff: { minMs: -1 } }, 'backoff.minMs'],
      [{ name: 'app', backoff: { minMs: 10, maxMs: 5 } }, 'backoff.maxMs'],
      [{ name: 'app', stategy: 'one-for-all' }, 'stategy'],
    ])('rejects %j naming the option %s', (options, option) => {
      expect(() => build(options)).toThrow(InvalidOptionError);
      expect(() => build(options)).toThrow(
        expect.objectContaining({ owner: 'supervisor "app"', option }),
      );
    });

    it.each([[undefined], [null], [{}], [{ name: '' }], [{ name: '  ' }], [{ name: 7 }]])(
      'rejects %j without a usable name',
      (options) => {
        expect(() => build(options)).toThrow(
          expect.objectContaining({ owner: 'a supervisor', code: 'STAGE_INVALID_OPTION' }),
        );
      },
    );

    it('says what was expected and what was received', () => {
      expect(() => build({ name: 'app', strategy: 'one-for-some' })).toThrow(
        'Invalid option "strategy" for supervisor "app": expected one of "one-for-one", ' +
          '"one-for-all", "rest-for-one" (did you mean "one-for-one"?), received "one-for-some".',
      );
    });

    it('defaults to one-for-one, on-failure and no backoff', () => {
      const supervisor = new Supervisor({ name: 'app' });

      expect(supervisor.strategy).toBe('one-for-one');
      expect(supervisor.restart).toBe('on-failure');
    });

    describe('the default intensity', () => {
      beforeEach(() => {
        vi.useFakeTimers();
      });
      afterEach(() => {
        vi.useRealTimers();
      });

      it('allows 3 restarts within 60 s and gives up on the 4th', async () => {
        const supervisor = new Supervisor({ name: 'app' });
        const child = new FakeChild('a');
        supervisor.add(child);
        supervisor.start();

        for (let i = 0; i < 3; i++) {
          child.fail();
          await vi.advanceTimersByTimeAsync(10_000);
        }
        expect(supervisor.status().state.kind).toBe('running');
        child.fail();
        await vi.advanceTimersByTimeAsync(0);

        expect(supervisor.status().state.kind).toBe('gave-up');
      });
    });
  });

  describe('add', () => {
    it.each([
      [null],
      ['worker'],
      [{ name: 'worker' }],
      [{ name: '', start() {}, stop() {}, setParent() {} }],
    ])('rejects %j, which is not a supervised child', (child) => {
      const supervisor = new Supervisor({ name: 'app' });

      expect(() => supervisor.add(child as unknown as SupervisedChild)).toThrow(
        expect.objectContaining({ owner: 'supervisor "app"', option: 'child' }),
      );
      expect(supervisor.children).toEqual([]);
    });

    it('rejects the supervisor itself as its own child', () => {
      const supervisor = new Supervisor({ name: 'app' });

      expect(() => supervisor.add(supervisor)).toThrow(InvalidOptionError);
    });

    it.each([[-5], [Number.NaN], ['10s'], [2 ** 32]])(
      'rejects a shutdownTimeoutMs of %j',
      (shutdownTimeoutMs) => {
        const supervisor = new Supervisor({ name: 'app' });

        expect(() =>
          supervisor.add(new FakeChild('a'), { shutdownTimeoutMs: shutdownTimeoutMs as number }),
        ).toThrow(expect.objectContaining({ option: 'shutdownTimeoutMs' }));
        expect(supervisor.children).toEqual([]);
      },
    );

    it('rejects an unknown child option', () => {
      const supervisor = new Supervisor({ name: 'app' });

      expect(() =>
        supervisor.add(new FakeChild('a'), { timeoutMs: 5 } as unknown as { shutdownTimeoutMs: 5 }),
      ).toThrow(expect.objectContaining({ option: 'timeoutMs' }));
    });

    it('adds nothing when the child throws from setParent', () => {
      const supervisor = new Supervisor({ name: 'app' });
      const child = new FakeChild('a');
      child.setParent = () => {
        throw new Error('no parents');
      };

      expect(() => supervisor.add(child)).toThrow('no parents');
      expect(supervisor.children).toEqual([]);
    });
  });
});
