import { Injectable } from '@nestjs/common';

import { ConflictingOptionsError } from './errors/conflicting-options-error.js';
import { OptionsReadEarlyError } from './errors/options-read-early-error.js';
import { optionsDifference } from './options-difference.js';
import { resolveStageOptions } from './resolve-stage-options.js';
import type { ResolvedStageOptions } from './stage-module-options.js';

/**
 * Holds the application's one set of root options. Every `StageModule.forRoot()` or
 * `forRootAsync()` import registers its options here while the providers are created; the first
 * registration wins and every later one must resolve to equal options. Internal.
 */
@Injectable()
export class StageConfiguration {
  /** The options registered first, resolved; `undefined` until a registration (then defaults). */
  private registered: ResolvedStageOptions | undefined;
  /** The defaults, resolved on first read; never compared with a registration. */
  private defaults: ResolvedStageOptions | undefined;

  /**
   * Validates `input` and makes it the application's root options.
   *
   * @throws InvalidOptionError for a bad value; ConflictingOptionsError when options registered
   * earlier differ; OptionsReadEarlyError when the defaults were already used and differ.
   */
  register(input: unknown): ResolvedStageOptions {
    const resolved = resolveStageOptions(input);
    if (this.registered === undefined) {
      // Defaults already handed out (a StageRegistry call while providers were still created)
      // may only be confirmed, never silently replaced.
      const used =
        this.defaults === undefined ? undefined : optionsDifference(this.defaults, resolved);
      if (used !== undefined) throw new OptionsReadEarlyError(used.path, used.first, used.second);
      this.registered = resolved;
      return resolved;
    }

    const difference = optionsDifference(this.registered, resolved);
    if (difference !== undefined) {
      throw new ConflictingOptionsError(difference.path, difference.first, difference.second);
    }
    return this.registered;
  }

  /** The root options: the registered ones, or the defaults when none was registered. */
  get options(): ResolvedStageOptions {
    return this.registered ?? (this.defaults ??= resolveStageOptions({}));
  }
}
