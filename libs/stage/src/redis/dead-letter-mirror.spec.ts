import { describe, expect, it } from 'vitest';
import type { DeadLetter } from '../core/channel/dead-letter.js';
import { DeadLetterMirror, type MirroredLetter } from './dead-letter-mirror.js';

function letter(id: string): DeadLetter<string> {
  return { id, body: id, deliveryCount: 5, error: new Error(`${id} failed`), at: 0 };
}

/** A letter as a refresh reads it back from the dead-letter stream. */
function read(id: string): MirroredLetter<string> {
  return { letter: letter(id), entryId: Promise.resolve(`${id}-entry`) };
}

const ids = (mirror: DeadLetterMirror<string>) => mirror.snapshot().map((held) => held.id);

describe('DeadLetterMirror', () => {
  describe('replace', () => {
    it('keeps a letter added while the refresh read the stream, which the read could not see', () => {
      const mirror = new DeadLetterMirror<string>(10);
      const mark = mirror.mark();
      mirror.add(letter('late'), Promise.resolve(''));

      mirror.replace([read('other-replica')], mark);

      expect(ids(mirror)).toEqual(['other-replica', 'late']);
    });

    it('holds a letter once when the read returned it too', () => {
      const mirror = new DeadLetterMirror<string>(10);
      const mark = mirror.mark();
      mirror.add(letter('seen'), Promise.resolve(''));

      mirror.replace([read('seen')], mark);

      expect(ids(mirror)).toEqual(['seen']);
    });

    it('drops a letter added before the read that the stream no longer holds', () => {
      const mirror = new DeadLetterMirror<string>(10);
      mirror.add(letter('trimmed-away'), Promise.resolve(''));
      const mark = mirror.mark();

      mirror.replace([read('kept')], mark);

      expect(ids(mirror)).toEqual(['kept']);
    });

    it('never holds more than its capacity, newest kept', () => {
      const mirror = new DeadLetterMirror<string>(2);
      const mark = mirror.mark();
      mirror.add(letter('late'), Promise.resolve(''));

      mirror.replace([read('a'), read('b')], mark);

      expect(ids(mirror)).toEqual(['b', 'late']);
    });
  });

  describe('forget', () => {
    it('removes a letter added during a refresh, so that the refresh does not bring it back', () => {
      const mirror = new DeadLetterMirror<string>(10);
      const mark = mirror.mark();
      const unwritten = letter('unwritten');
      mirror.add(unwritten, Promise.resolve(''));
      mirror.forget(unwritten);

      mirror.replace([], mark);

      expect(ids(mirror)).toEqual([]);
    });
  });
});
