import { describe, expect, it } from 'vitest';
import type { StoredMessage } from './channel-storage.js';
import type { DeadLetter } from './dead-letter.js';
import { MemoryChannelStorage } from './memory-channel-storage.js';

function message(id: string): StoredMessage<string> {
  return { id, body: `body ${id}`, failures: 0, isRequest: false, expiresAt: undefined };
}

function letter(id: string): DeadLetter<string> {
  return { id, body: `body ${id}`, deliveryCount: 5, error: new Error(id), at: 0 };
}

describe('MemoryChannelStorage', () => {
  it('hands back the very objects it was given, appended in order and prepended first', () => {
    const storage = new MemoryChannelStorage<string>();
    const [a, b, c] = [message('a'), message('b'), message('c')];
    storage.append(a);
    storage.append(b);
    storage.prepend(c);

    expect(storage.length).toBe(3);
    expect(storage.takeNext()).toBe(c);
    expect(storage.takeNext()).toBe(a);
    storage.requeue(a);
    expect(storage.takeNext()).toBe(b);
    expect(storage.takeNext()).toBe(a);
    expect(storage.takeNext()).toBeUndefined();
  });

  it('removes a ready message from anywhere in the queue', () => {
    const storage = new MemoryChannelStorage<string>();
    const [a, b, c] = [message('a'), message('b'), message('c')];
    for (const each of [a, b, c]) storage.append(each);

    expect(storage.remove(b)).toBe(true);
    expect(storage.remove(b)).toBe(false);
    expect([storage.takeNext(), storage.takeNext()]).toEqual([a, c]);
  });

  it('evicts the oldest dead letter when full and returns it', () => {
    const storage = new MemoryChannelStorage<string>({ deadLetterCapacity: 2 });

    expect(storage.addDeadLetter(letter('a'))).toBeUndefined();
    expect(storage.addDeadLetter(letter('b'))).toBeUndefined();
    expect(storage.addDeadLetter(letter('c'))?.id).toBe('a');
    expect(storage.deadLetters().map((each) => each.id)).toEqual(['b', 'c']);
    expect(storage.deadLetterCount).toBe(2);
  });

  it('keeps no dead letter at all with a capacity of 0, evicting each one at once', () => {
    const storage = new MemoryChannelStorage<string>({ deadLetterCapacity: 0 });
    const only = letter('a');

    expect(storage.addDeadLetter(only)).toBe(only);
    expect(storage.deadLetters()).toEqual([]);
  });

  it('takes the dead letters asked for and keeps the others in order', () => {
    const storage = new MemoryChannelStorage<string>();
    for (const id of ['a', 'b', 'c', 'd']) storage.addDeadLetter(letter(id));

    expect(storage.takeDeadLetters(['c', 'a', 'unknown']).map((each) => each.id)).toEqual([
      'a',
      'c',
    ]);
    expect(storage.deadLetters().map((each) => each.id)).toEqual(['b', 'd']);
    expect(storage.takeDeadLetters().map((each) => each.id)).toEqual(['b', 'd']);
    expect(storage.deadLetterCount).toBe(0);
  });

  it('is not durable', () => {
    expect(new MemoryChannelStorage().durable).toBe(false);
  });
});
