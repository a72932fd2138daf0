/** The links a node needs to sit in a {@link LinkedQueue}. A node sits in at most one queue. */
export interface QueueLinks<TNode> {
  /** The node before this one, while queued. */
  queuePrev: TNode | undefined;
  /** The node after this one, while queued. */
  queueNext: TNode | undefined;
  /** Whether the node is in a queue right now. */
  queued: boolean;
}

/**
 * A FIFO queue of nodes that carry their own links (intrusive), so that a node leaves from any
 * position in O(1) and the others keep their order: an aborted waiter gives its place back
 * without disturbing the waiters behind it. Internal to channels.
 */
export class LinkedQueue<TNode extends QueueLinks<TNode>> {
  /** The oldest node, or `undefined` when empty. */
  #first: TNode | undefined;
  /** The newest node, or `undefined` when empty. */
  #last: TNode | undefined;
  /** How many nodes are queued. */
  #count = 0;

  /** How many nodes are queued. */
  get length(): number {
    return this.#count;
  }

  /** Appends `node`, which must not be queued anywhere. */
  push(node: TNode): void {
    node.queuePrev = this.#last;
    node.queueNext = undefined;
    node.queued = true;
    if (this.#last === undefined) this.#first = node;
    else this.#last.queueNext = node;
    this.#last = node;
    this.#count++;
  }

  /** Removes and returns the oldest node, or `undefined` when empty. */
  shift(): TNode | undefined {
    const node = this.#first;
    if (node !== undefined) this.remove(node);
    return node;
  }

  /** Removes `node` if it is queued here; returns whether it was. */
  remove(node: TNode): boolean {
    if (!node.queued) return false;
    if (node.queuePrev === undefined) this.#first = node.queueNext;
    else node.queuePrev.queueNext = node.queueNext;
    if (node.queueNext === undefined) this.#last = node.queuePrev;
    else node.queueNext.queuePrev = node.queuePrev;
    node.queuePrev = undefined;
    node.queueNext = undefined;
    node.queued = false;
    this.#count--;
    return true;
  }
}
