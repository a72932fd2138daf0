import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { selectRestartTargets } from './supervisor-strategy.js';

interface Child {
  readonly name: string;
  readonly live: boolean;
}

const isLive = (child: Child): boolean => child.live;

/** Children named by position, with whether each is live, and the index of the failed one. */
const scenario = fc.array(fc.boolean(), { minLength: 1, maxLength: 12 }).chain((lives) =>
  fc.record({
    children: fc.constant(lives.map((live, i): Child => ({ name: `c${i}`, live }))),
    failed: fc.integer({ min: 0, max: lives.length - 1 }),
  }),
);

describe('selectRestartTargets', () => {
  it('takes only the failed child under one-for-one', () => {
    fc.assert(
      fc.property(scenario, ({ children, failed }) => {
        expect(selectRestartTargets('one-for-one', children, failed, isLive)).toEqual([
          children[failed],
        ]);
      }),
    );
  });

  it('takes the failed child and every live sibling, in start order, under one-for-all', () => {
    fc.assert(
      fc.property(scenario, ({ children, failed }) => {
        const expected = children.filter((child, i) => i === failed || child.live);
        expect(selectRestartTargets('one-for-all', children, failed, isLive)).toEqual(expected);
      }),
    );
  });

  it('takes the failed child and the live siblings after it under rest-for-one', () => {
    fc.assert(
      fc.property(scenario, ({ children, failed }) => {
        const expected = children.filter((child, i) => i === failed || (i > failed && child.live));
        expect(selectRestartTargets('rest-for-one', children, failed, isLive)).toEqual(expected);
      }),
    );
  });

  it('takes nothing for an index that names no child', () => {
    expect(selectRestartTargets('one-for-all', [{ name: 'a', live: true }], 3, isLive)).toEqual([]);
  });
});
