import { describe, expect, it } from 'vitest';
import { LinkedQueue } from './linked-queue.js';
import type { QueueLinks } from './linked-queue.js';

class Node implements QueueLinks<Node> {
  queuePrev: Node | undefined = undefined;
  queueNext: Node | undefined = undefined;
  queued = false;
  constructor(readonly name: string) {}
}

function drain(queue: LinkedQueue<Node>): string[] {
  const names: string[] = [];
  for (let node = queue.shift(); node !== undefined; node = queue.shift()) names.push(node.name);
  return names;
}

describe('LinkedQueue', () => {
  it('keeps the others in order when nodes leave from the middle, the front and the back', () => {
    const queue = new LinkedQueue<Node>();
    const nodes = ['a', 'b', 'c', 'd', 'e'].map((name) => new Node(name));
    for (const node of nodes) queue.push(node);

    expect(queue.remove(nodes[2]!)).toBe(true);
    expect(queue.remove(nodes[0]!)).toBe(true);
    expect(queue.remove(nodes[4]!)).toBe(true);

    expect(queue.length).toBe(2);
    expect(drain(queue)).toEqual(['b', 'd']);
  });

  it('refuses to remove a node that is not queued', () => {
    const queue = new LinkedQueue<Node>();
    const node = new Node('a');
    queue.push(node);
    queue.shift();

    expect(queue.remove(node)).toBe(false);
    expect(queue.length).toBe(0);
    expect(queue.shift()).toBeUndefined();
  });

  it('accepts a node again after it left', () => {
    const queue = new LinkedQueue<Node>();
    const a = new Node('a');
    const b = new Node('b');
    queue.push(a);
    queue.push(b);
    queue.remove(a);
    queue.push(a);

    expect(drain(queue)).toEqual(['b', 'a']);
  });
});
