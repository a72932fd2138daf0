/** Something that waits on a signal through an {@link AbortFanOut}. */
export interface AbortFollower {
  /** The signal followed has fired. Called at most once per `follow`. */
  signalAborted(): void;
}

/**
 * One abort listener per signal, however many of a channel's senders and consumers wait on it at
 * once: a signal shared by a thousand waiting requests costs one listener, not a thousand (Node
 * warns past ten), and none once nobody waits on it. Each channel has its own. Internal to
 * channels.
 *
 * Callers follow a signal only while they wait on it, never once it has fired, and unfollow it as
 * soon as they stop waiting.
 */
export class AbortFanOut {
  /** The followers of each signal with at least one; an entry goes once its last one leaves. */
  readonly #bySignal = new WeakMap<AbortSignal, Followers>();

  follow(signal: AbortSignal, follower: AbortFollower): void {
    let followers = this.#bySignal.get(signal);
    if (followers === undefined) {
      followers = new Followers(signal, this.#bySignal);
      this.#bySignal.set(signal, followers);
      signal.addEventListener('abort', followers);
    }
    followers.add(follower);
  }

  unfollow(signal: AbortSignal, follower: AbortFollower): void {
    this.#bySignal.get(signal)?.delete(follower);
  }
}

/**
 * The followers of one signal, in the order they began to follow, and the signal's one listener.
 */
class Followers {
  /** The first follower, in the common case of one; `undefined` once it has left. */
  #first: AbortFollower | undefined = undefined;
  /** Further followers, created only when several wait on the signal at once. */
  #more: Set<AbortFollower> | undefined = undefined;
  /** Set while the abort is fanned out: the entry stays registered until every call is made. */
  #firing = false;

  constructor(
    readonly signal: AbortSignal,
    /** The registry this entry belongs to, left as soon as the entry is empty. */
    readonly registry: WeakMap<AbortSignal, Followers>,
  ) {}

  add(follower: AbortFollower): void {
    if (this.#first === undefined && (this.#more === undefined || this.#more.size === 0)) {
      this.#first = follower;
    } else {
      (this.#more ??= new Set()).add(follower);
    }
  }

  delete(follower: AbortFollower): void {
    if (this.#first === follower) this.#first = undefined;
    else if (this.#more?.delete(follower) !== true) return;
    if (!this.#firing && this.#isEmpty()) this.#leave();
  }

  /**
   * The signal fired: calls every follower once, in order. A follower that leaves meanwhile (a
   * waiting sender let in by another follower's withdrawal) is not called, as with a listener
   * removed during an event's dispatch.
   */
  handleEvent(): void {
    this.#firing = true;
    try {
      const first = this.#first;
      this.#first = undefined;
      first?.signalAborted();
      // One iterator over the set, live: a follower that leaves meanwhile is skipped, and each
      // is deleted before it is called. A fresh iterator per follower would walk the deleted
      // entries again each time: quadratic for a signal shared by many.
      const more = this.#more;
      if (more !== undefined) {
        for (const next of more) {
          more.delete(next);
          next.signalAborted();
        }
      }
    } finally {
      this.#firing = false;
      this.#leave();
    }
  }

  #isEmpty(): boolean {
    return this.#first === undefined && (this.#more === undefined || this.#more.size === 0);
  }

  #leave(): void {
    this.signal.removeEventListener('abort', this);
    if (this.registry.get(this.signal) === this) this.registry.delete(this.signal);
  }
}
