import type { ChannelStorage } from 'nestjs-stage';

import type { Operands } from '../adder/addition.js';

/** How the second degree's channel stores its messages and its handlers and HTTP handler work. */
export interface SecondDegreeOptions {
  /** How long a request waits for its reply, in ms, before the handler answers 504. */
  readonly requestTimeoutMs: number;
  /** How long each addition takes, in ms, as if the handler did some I/O; 0 for none. */
  readonly workMs: number;
  /** Where the `adder` channel keeps its messages; `undefined` for in memory. */
  readonly storage: ChannelStorage<Operands> | undefined;
}

/** The injection token of {@link SecondDegreeOptions}. */
export const SECOND_DEGREE_OPTIONS = Symbol('SECOND_DEGREE_OPTIONS');
