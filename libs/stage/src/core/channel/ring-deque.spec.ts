import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RingDeque } from './ring-deque.js';

type Operation =
  | { readonly kind: 'push'; readonly value: number }
  | { readonly kind: 'unshift'; readonly value: number }
  | { readonly kind: 'shift' }
  | { readonly kind: 'remove'; readonly value: number };

const operation: fc.Arbitrary<Operation> = fc.oneof(
  fc.record({ kind: fc.constant('push' as const), value: fc.integer({ min: 0, max: 40 }) }),
  fc.record({ kind: fc.constant('unshift' as const), value: fc.integer({ min: 0, max: 40 }) }),
  fc.record({ kind: fc.constant('shift' as const) }),
  fc.record({ kind: fc.constant('remove' as const), value: fc.integer({ min: 0, max: 40 }) }),
);

describe('RingDeque', () => {
  it('behaves like an array used as a deque, across growth and wrap-around', () => {
    fc.assert(
      fc.property(fc.array(operation, { maxLength: 300 }), (operations) => {
        const deque = new RingDeque<number>(2);
        const model: number[] = [];
        for (const op of operations) {
          if (op.kind === 'push') {
            deque.push(op.value);
            model.push(op.value);
          } else if (op.kind === 'unshift') {
            deque.unshift(op.value);
            model.unshift(op.value);
          } else if (op.kind === 'shift') {
            expect(deque.shift()).toBe(model.shift());
          } else {
            const index = model.indexOf(op.value);
            if (index >= 0) model.splice(index, 1);
            expect(deque.remove(op.value)).toBe(index >= 0);
          }
          expect(deque.length).toBe(model.length);
          expect(deque.peek()).toBe(model[0]);
        }
        const seen: number[] = [];
        deque.forEach((value) => seen.push(value));
        expect(seen).toEqual(model);
        expect(deque.clear()).toEqual(model);
        expect(deque.length).toBe(0);
      }),
    );
  });

  it('returns undefined when shifting or peeking an empty deque', () => {
    const deque = new RingDeque<string>();
    expect(deque.shift()).toBeUndefined();
    expect(deque.peek()).toBeUndefined();
  });
});
