import { describe, expect, it } from 'vitest';
import { fromWireError, toWireError } from './wire-error.js';
import { DeadLetteredError } from '../core/errors/dead-lettered-error.js';
import { isStageError } from '../core/errors/stage-error.js';

describe('toWireError', () => {
  it('brings a dead letter back as DeadLetteredError with its cause', () => {
    const sent = new DeadLetteredError('adder', 'm-1', 5, new Error('cannot add'));

    const read = fromWireError(toWireError(sent), 'adder');

    expect(read).toBeInstanceOf(DeadLetteredError);
    expect(isStageError(read, 'STAGE_DEAD_LETTERED')).toBe(true);
    expect(read).toMatchObject({ messageId: 'm-1', deliveryCount: 5 });
    expect((read.cause as Error).message).toBe('cannot add');
  });

  it('writes a handler error whose fields throw when read with what can be read, never throwing', () => {
    const hostile = new Error('kept?');
    // The stack first: redefining it formats it, and that reads the message.
    Object.defineProperty(hostile, 'stack', {
      get() {
        throw new Error('no stack either');
      },
    });
    Object.defineProperty(hostile, 'message', {
      get() {
        throw new Error('no message for you');
      },
    });

    expect(toWireError(hostile)).toEqual({
      name: 'Error',
      message: '(its message throws when read)',
    });
  });

  it('writes thrown values that are not errors, a Symbol and an object whose toString throws included', () => {
    const unprintable = {
      toString() {
        throw new Error('unprintable');
      },
    };

    expect(toWireError(Symbol('odd')).message).toContain('Symbol(odd)');
    expect(toWireError(unprintable)).toMatchObject({ name: 'Error' });
    expect(typeof toWireError(unprintable).message).toBe('string');
  });

  it('cuts a long cause chain after a few levels', () => {
    let error = new Error('root');
    for (let level = 0; level < 10; level++) error = new Error(`level ${level}`, { cause: error });

    let wire = toWireError(error);
    let depth = 0;
    while (wire.cause !== undefined) {
      wire = wire.cause;
      depth++;
    }

    expect(depth).toBe(4);
  });
});
