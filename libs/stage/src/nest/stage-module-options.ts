import type { BackoffOptions } from '../core/backoff/backoff-options.js';
import type { RestartPolicy } from '../core/group/restart-policy.js';
import type { IntensityOptions } from '../core/group/task-group-options.js';

/**
 * Defaults for every group of the application, decorated or spawned. A group's own option wins;
 * `backoff` is merged field by field, `intensity` is replaced as a whole. Anything left unset
 * takes the core's default (see `TaskGroupOptions`).
 */
export interface GroupDefaults {
  readonly restart?: RestartPolicy;
  readonly backoff?: BackoffOptions;
  readonly intensity?: IntensityOptions | false;
  readonly shutdownTimeoutMs?: number;
}

/**
 * The wait before the root restarts a child that failed (a module whose supervisor gave up, or a
 * spawned group that gave up): the n-th consecutive failure waits `minMs * factor^(n-1)`, capped
 * at `maxMs`. No jitter: give-ups are rare and the waits long, and a fixed schedule is easier to
 * read in logs.
 */
export interface RootRestartBackoff {
  /** The first wait, in ms; default 30,000 (30 s). */
  readonly minMs?: number;
  /** The longest wait, in ms; default 300,000 (5 min). */
  readonly maxMs?: number;
  /** The growth per consecutive give-up; default 2. */
  readonly factor?: number;
  /**
   * A child that ran this long after its last start before failing again starts the schedule
   * over from `minMs`; default 600,000 (10 min).
   */
  readonly resetAfterMs?: number;
}

/** What the application learns when a failure reaches the root of the supervision tree. */
export interface GiveUpReport {
  /** The child of the root that failed: a module's supervisor, or a spawned group. */
  readonly child: string;
  /** Its path, for example `['root', 'AdderModule']`. */
  readonly path: readonly string[];
  /**
   * The error it failed with (a `SupervisorGaveUpError` or `GroupGaveUpError`); follow its cause
   * chain with `causeChain` down to the task failure.
   */
  readonly error: Error;
}

/**
 * What the application does when a failure reaches the root of the supervision tree: a module's
 * supervisor gave up (its groups gave up more often than its intensity allows), or a group
 * spawned without a module gave up. A group that gives up is first restarted by its module's
 * supervisor (see `StageModule.forFeature({ supervisor })`).
 *
 * - `restart` (the default): the application keeps running, reports itself unhealthy in
 *   `StageRegistry.health()` and restarts the failed subtree after a long, capped backoff, so a
 *   transient outage of a dependency never leaves the application degraded for good.
 * - `shutdown`: the application shuts down so that an outside supervisor (Kubernetes, systemd)
 *   restarts it. Stage calls `shutdown` once, with the first failure; the default sends `SIGTERM`
 *   to the process, which closes the application gracefully when `app.enableShutdownHooks()` was
 *   called (without it, Node's default action ends the process at once, and Stage warns).
 *
 * Failures during shutdown are logged only: the application is already stopping.
 *
 * This is an object, unlike the core's `RootSupervisorOptions.onGiveUp` (a callback): Stage
 * builds the application's `RootSupervisor` from it, with `backoff` for `restart`, and for
 * `shutdown` with a callback that calls `shutdown` once. A function given here fails the
 * bootstrap with an `InvalidOptionError` naming `onGiveUp`.
 */
export type GiveUpPolicy =
  | { readonly action: 'restart'; readonly backoff?: RootRestartBackoff }
  | {
      readonly action: 'shutdown';
      /** Shuts the application down; may be async. A throw or rejection is logged. */
      readonly shutdown?: (report: GiveUpReport) => void | Promise<void>;
    };

/**
 * The root options of Stage, given once per application to `StageModule.forRoot()` or resolved
 * by `StageModule.forRootAsync()`. Validated when they are resolved: a bad value fails the
 * bootstrap with an `InvalidOptionError` naming the option.
 */
export interface StageModuleOptions {
  /** Defaults for every group; see {@link GroupDefaults}. */
  readonly groups?: GroupDefaults;
  /** What happens when a failure reaches the root; default `{ action: 'restart' }`. */
  readonly onGiveUp?: GiveUpPolicy;
  /**
   * Whether Stage logs through Nest's `Logger`: group events (failures, aggregated; give-ups;
   * stops), supervisors' restarts and give-ups, the root policy's decisions, dead letters and
   * abandoned handlers, and how each channel closed; default `true`. Wiring warnings at
   * bootstrap are always logged. Events stay available on `StageRegistry.events$` either way.
   */
  readonly logging?: boolean;
  /**
   * When `true`, a `@Supervised` method on a request-scoped or transient provider (or one that
   * depends on something request-scoped) is skipped with a warning instead of failing the
   * bootstrap; default `false`.
   */
  readonly skipScopedProviders?: boolean;
  // Channels and module supervisors are registered per module, with `StageModule.forFeature()`.
}

/** Root options with every default filled in, as Stage uses them. */
export interface ResolvedStageOptions {
  readonly groups: GroupDefaults;
  readonly onGiveUp:
    | { readonly action: 'restart'; readonly backoff: Required<RootRestartBackoff> }
    | {
        readonly action: 'shutdown';
        readonly shutdown: (report: GiveUpReport) => void | Promise<void>;
      };
  readonly logging: boolean;
  readonly skipScopedProviders: boolean;
}

/** The default wait before the root restarts a failed child: 30 s doubling up to 5 min. */
export const DEFAULT_ROOT_RESTART_BACKOFF: Required<RootRestartBackoff> = {
  minMs: 30_000,
  maxMs: 300_000,
  factor: 2,
  resetAfterMs: 600_000,
};
