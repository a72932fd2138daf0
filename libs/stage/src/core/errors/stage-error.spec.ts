import { describe, expect, it } from 'vitest';
import { ChannelClosedError } from './channel-closed-error.js';
import { GroupGaveUpError } from './group-gave-up-error.js';

const limit = { maxRestarts: 1, withinMs: 1_000 };

describe('StageError', () => {
  describe('toJSON', () => {
    it('writes the name, code and message that JSON.stringify would otherwise leave out', () => {
      const error = new ChannelClosedError('adder');

      expect(JSON.parse(JSON.stringify(error))).toEqual({
        name: 'ChannelClosedError',
        code: 'STAGE_CHANNEL_CLOSED',
        message: error.message,
      });
    });

    it('writes the cause too: a Stage error in full, any other error by name and message', () => {
      const failure = new TypeError('connection refused');
      const gaveUp = new GroupGaveUpError({
        group: 'mailer',
        path: ['mailer'],
        limit,
        cause: failure,
      });

      const json = JSON.parse(JSON.stringify({ error: gaveUp })) as { error: { cause: unknown } };

      expect(json.error.cause).toEqual({ name: 'TypeError', message: 'connection refused' });
    });

    it('leaves out a cause whose message throws when read', () => {
      const hostile = new Error('x');
      Object.defineProperty(hostile, 'message', {
        get() {
          throw new Error('no');
        },
      });
      const gaveUp = new GroupGaveUpError({ group: 'mailer', path: ['mailer'], limit });
      Object.defineProperty(gaveUp, 'cause', { value: hostile });

      expect(gaveUp.toJSON()).not.toHaveProperty('cause');
    });
  });
});
