/**
 * Stage: supervised task groups, restart-safe channels and supervision trees for NestJS.
 *
 * This file is the library's curated public API: anything not exported here is internal.
 */

// Errors
export { StageError, isStageError } from './core/errors/stage-error.js';
export type { StageErrorCode, StageErrorCodes } from './core/errors/stage-error.js';
export { InvalidOptionError } from './core/errors/invalid-option-error.js';
export { ThrownValueError } from './core/errors/thrown-value-error.js';

// Task groups (core)
export type { RestartPolicy } from './core/group/restart-policy.js';
export type { TaskContext, TaskFn, TaskOutcome } from './core/group/task-context.js';
export type { TaskGroupOptions, IntensityOptions } from './core/group/task-group-options.js';
export type { BackoffOptions } from './core/backoff/backoff-options.js';
export type { GroupEvent, GroupEventType, GroupListener } from './core/group/group-events.js';
export type { GroupState, GroupStatus } from './core/group/group-status.js';
export type { StopOptions, StopReport } from './core/group/stop-report.js';

// Channels (core)

// Supervisors (core)
export type { SupervisedChild, ChildExit, ChildParent } from './core/supervisor/child.js';

// NestJS integration
