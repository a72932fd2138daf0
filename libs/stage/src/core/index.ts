/**
 * `nestjs-stage/core`: the framework-free part of Stage (task groups, channels, supervisors and
 * their errors), for plain Node.js. It imports nothing from `@nestjs/*`, `rxjs` or
 * `reflect-metadata`; `nestjs-stage` re-exports all of it beside the NestJS integration.
 *
 * This file is the core's curated public API: anything not exported here is internal.
 */

// Errors
export { StageError, isStageError } from './errors/stage-error.js';
export type { StageErrorCode, StageErrorCodes, StageErrorJson } from './errors/stage-error.js';
export { InvalidOptionError } from './errors/invalid-option-error.js';
export { ThrownValueError } from './errors/thrown-value-error.js';

// Task groups (core)
export type { RestartPolicy } from './group/restart-policy.js';
export type { TaskContext, TaskFn, TaskOutcome } from './group/task-context.js';
export type { TaskGroupOptions, IntensityOptions } from './group/task-group-options.js';
export type { BackoffOptions } from './backoff/backoff-options.js';
export type { GroupEvent, GroupEventType, GroupListener } from './group/group-events.js';
export type { GroupState, GroupStatus } from './group/group-status.js';
export type { StopOptions, StopReport } from './group/stop-report.js';
export { TaskGroup } from './group/task-group.js';
export { GroupGaveUpError } from './errors/group-gave-up-error.js';
export { seededRandom } from './util/random.js';
export { attachGroupLog } from './group/failure-log.js';
export type { GroupLogger, GroupLogOptions, GroupEventSource } from './group/failure-log.js';

// Channels (core)
export { Channel } from './channel/channel.js';
export { handleChannel } from './channel/handle-channel.js';
export type { ChannelHandler, ChannelHandlerOptions } from './channel/handle-channel.js';
export type { ChannelOptions, OverflowMode } from './channel/channel-options.js';
export type { SendOptions, RequestOptions, CloseOptions } from './channel/channel-call-options.js';
export type { Delivery } from './channel/delivery.js';
export type { MessageId } from './channel/message-id.js';
export type { DeadLetter } from './channel/dead-letter.js';
export type { ChannelStats } from './channel/channel-stats.js';
export type { ChannelState } from './channel/channel-state.js';
export type { ChannelCloseReport } from './channel/channel-close-report.js';
export type { ChannelEvent, ChannelEventType, ChannelListener } from './channel/channel-events.js';
export type {
  ChannelStorage,
  StoredMessage,
  SharedChannelStorage,
  ChannelStorageHost,
  IncomingMessage,
  RemoteRequester,
  RemoteReply,
  StorageCloseReport,
} from './channel/channel-storage.js';
export { isSharedStorage } from './channel/channel-storage.js';
export { MemoryChannelStorage } from './channel/memory-channel-storage.js';
export type { MemoryChannelStorageOptions } from './channel/memory-channel-storage.js';
export { ChannelClosedError } from './errors/channel-closed-error.js';
export { ChannelFullError } from './errors/channel-full-error.js';
export { ChannelNotStartedError } from './errors/channel-not-started-error.js';
export { ClosedBeforeDeliveryError } from './errors/closed-before-delivery-error.js';
export { DeliveriesExhaustedError } from './errors/deliveries-exhausted-error.js';
export { DeadLetteredError } from './errors/dead-lettered-error.js';
export { HandlerTimeoutError } from './errors/handler-timeout-error.js';
export { RequestTimeoutError } from './errors/request-timeout-error.js';

// Supervisors (core)
export type { SupervisedChild, ChildExit, ChildParent } from './supervisor/child.js';
export { Supervisor } from './supervisor/supervisor.js';
export { DEFAULT_SUPERVISOR_INTENSITY } from './supervisor/supervisor-options.js';
export type { SupervisorOptions, AddChildOptions } from './supervisor/supervisor-options.js';
export type { SupervisorStrategy } from './supervisor/supervisor-strategy.js';
export type {
  SupervisorEvent,
  SupervisorEventType,
  SupervisorListener,
  ExitDecision,
  ChildStartReason,
} from './supervisor/supervisor-events.js';
export type {
  SupervisorState,
  SupervisorStatus,
  ChildState,
  ChildStatus,
} from './supervisor/supervisor-status.js';
export { isSupervisorStopReport } from './supervisor/supervisor-stop-report.js';
export type {
  SupervisorStopReport,
  ChildStopReport,
  AbandonedTask,
} from './supervisor/supervisor-stop-report.js';
export { RootSupervisor } from './supervisor/root-supervisor.js';
export { DEFAULT_ROOT_BACKOFF } from './supervisor/root-supervisor-options.js';
export type {
  RootSupervisorOptions,
  RootGiveUpReport,
} from './supervisor/root-supervisor-options.js';
export type { RootHealth, FailingChild } from './supervisor/root-health.js';
export { SupervisorGaveUpError } from './errors/supervisor-gave-up-error.js';
export { DuplicateChildError } from './errors/duplicate-child-error.js';
export { UnknownChildError } from './errors/unknown-child-error.js';
export { SupervisorNotRunningError } from './errors/supervisor-not-running-error.js';
export { causeChain } from './errors/cause-chain.js';
