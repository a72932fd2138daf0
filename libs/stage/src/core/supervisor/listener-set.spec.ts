import { describe, expect, it } from 'vitest';
import { ListenerSet } from './listener-set.js';

describe('ListenerSet', () => {
  describe('emit', () => {
    it('calls every listener in subscription order', () => {
      const listeners = new ListenerSet<number>();
      const seen: string[] = [];
      listeners.add((n) => seen.push(`first ${n}`));
      listeners.add((n) => seen.push(`second ${n}`));

      listeners.emit(1, () => {});

      expect(seen).toEqual(['first 1', 'second 1']);
    });

    it('reports a throwing listener and still calls the next ones', () => {
      const listeners = new ListenerSet<number>();
      const errors: unknown[] = [];
      const seen: number[] = [];
      listeners.add(() => {
        throw new Error('bad listener');
      });
      listeners.add((n) => seen.push(n));

      listeners.emit(7, (error) => errors.push(error));

      expect(errors).toEqual([new Error('bad listener')]);
      expect(seen).toEqual([7]);
    });

    it('applies subscriptions made during an emission from the next one', () => {
      const listeners = new ListenerSet<number>();
      const seen: number[] = [];
      listeners.add(() => {
        listeners.add((n) => seen.push(n));
      });

      listeners.emit(1, () => {});
      expect(seen).toEqual([]);
      listeners.emit(2, () => {});
      expect(seen).toEqual([2]);
    });
  });

  describe('add', () => {
    it('returns a function that unsubscribes that subscription only, once', () => {
      const listeners = new ListenerSet<number>();
      const seen: number[] = [];
      const listener = (n: number): void => {
        seen.push(n);
      };
      const unsubscribe = listeners.add(listener);
      listeners.add(listener);

      unsubscribe();
      unsubscribe();
      listeners.emit(3, () => {});

      expect(seen).toEqual([3]);
    });
  });
});
