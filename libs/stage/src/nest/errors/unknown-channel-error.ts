import { StageError } from '../../core/errors/stage-error.js';

declare module '../../core/errors/stage-error.js' {
  interface StageErrorCodes {
    STAGE_UNKNOWN_CHANNEL: UnknownChannelError;
  }
}

/**
 * A channel name that no `StageModule.forFeature({ channels })` declares: in a `@Supervised({
 * channel })` method (the bootstrap fails) or in a {@link StageRegistry} call.
 */
export class UnknownChannelError extends StageError {
  readonly code = 'STAGE_UNKNOWN_CHANNEL' as const;

  constructor(
    /** Who asked: `Class@method` for a decorated method, or the registry call. */
    readonly site: string,
    /** The name asked for. */
    readonly channel: string,
    /** The names the application declares, to spot a typo. */
    readonly known: readonly string[],
  ) {
    const list = known.length === 0 ? 'none' : known.map((name) => `"${name}"`).join(', ');
    super(
      `${site} names channel "${channel}", which no module declares. Known channels: ${list}. ` +
        `Declare it with StageModule.forFeature({ channels: [{ name: "${channel}" }] }) in a ` +
        `module of the application.`,
    );
  }
}
