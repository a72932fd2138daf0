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
export { TaskGroup } from './core/group/task-group.js';
export { GroupGaveUpError } from './core/errors/group-gave-up-error.js';
export { seededRandom } from './core/util/random.js';
export { attachGroupLog } from './core/group/failure-log.js';
export type { GroupLogger, GroupLogOptions, GroupEventSource } from './core/group/failure-log.js';

// Channels (core)
export { Channel } from './core/channel/channel.js';
export { handleChannel } from './core/channel/handle-channel.js';
export type { ChannelHandler, ChannelHandlerOptions } from './core/channel/handle-channel.js';
export type { ChannelOptions, OverflowMode } from './core/channel/channel-options.js';
export type {
  SendOptions,
  RequestOptions,
  CloseOptions,
} from './core/channel/channel-call-options.js';
export type { Delivery } from './core/channel/delivery.js';
export type { MessageId } from './core/channel/message-id.js';
export type { DeadLetter } from './core/channel/dead-letter.js';
export type { ChannelStats } from './core/channel/channel-stats.js';
export type { ChannelState } from './core/channel/channel-state.js';
export type { ChannelCloseReport } from './core/channel/channel-close-report.js';
export type {
  ChannelEvent,
  ChannelEventType,
  ChannelListener,
} from './core/channel/channel-events.js';
export type {
  ChannelStorage,
  StoredMessage,
  SharedChannelStorage,
  ChannelStorageHost,
  IncomingMessage,
  RemoteRequester,
  RemoteReply,
  StorageCloseReport,
} from './core/channel/channel-storage.js';
export { isSharedStorage } from './core/channel/channel-storage.js';
export { MemoryChannelStorage } from './core/channel/memory-channel-storage.js';
export type { MemoryChannelStorageOptions } from './core/channel/memory-channel-storage.js';
export { ChannelClosedError } from './core/errors/channel-closed-error.js';
export { ChannelFullError } from './core/errors/channel-full-error.js';
export { ChannelNotStartedError } from './core/errors/channel-not-started-error.js';
export { ClosedBeforeDeliveryError } from './core/errors/closed-before-delivery-error.js';
export { DeadLetteredError } from './core/errors/dead-lettered-error.js';
export { HandlerTimeoutError } from './core/errors/handler-timeout-error.js';
export { RequestTimeoutError } from './core/errors/request-timeout-error.js';

// Supervisors (core)
export type { SupervisedChild, ChildExit, ChildParent } from './core/supervisor/child.js';
export { Supervisor } from './core/supervisor/supervisor.js';
export { DEFAULT_SUPERVISOR_INTENSITY } from './core/supervisor/supervisor-options.js';
export type { SupervisorOptions, AddChildOptions } from './core/supervisor/supervisor-options.js';
export type { SupervisorStrategy } from './core/supervisor/supervisor-strategy.js';
export type {
  SupervisorEvent,
  SupervisorEventType,
  SupervisorListener,
  ExitDecision,
  ChildStartReason,
} from './core/supervisor/supervisor-events.js';
export type {
  SupervisorState,
  SupervisorStatus,
  ChildState,
  ChildStatus,
} from './core/supervisor/supervisor-status.js';
export { isSupervisorStopReport } from './core/supervisor/supervisor-stop-report.js';
export type {
  SupervisorStopReport,
  ChildStopReport,
  AbandonedTask,
} from './core/supervisor/supervisor-stop-report.js';
export { RootSupervisor } from './core/supervisor/root-supervisor.js';
export { DEFAULT_ROOT_BACKOFF } from './core/supervisor/root-supervisor-options.js';
export type {
  RootSupervisorOptions,
  RootGiveUpReport,
} from './core/supervisor/root-supervisor-options.js';
export type { RootHealth, FailingChild } from './core/supervisor/root-health.js';
export { SupervisorGaveUpError } from './core/errors/supervisor-gave-up-error.js';
export { DuplicateChildError } from './core/errors/duplicate-child-error.js';
export { UnknownChildError } from './core/errors/unknown-child-error.js';
export { SupervisorNotRunningError } from './core/errors/supervisor-not-running-error.js';
export { causeChain } from './core/errors/cause-chain.js';

// NestJS integration
export { StageModule } from './nest/stage.module.js';
export type {
  StageModuleAsyncOptions,
  StageOptionsFactory,
} from './nest/stage-module-definition.js';
export type {
  StageModuleOptions,
  GroupDefaults,
  GiveUpPolicy,
  GiveUpReport,
  RootRestartBackoff,
} from './nest/stage-module-options.js';
export { Supervised } from './nest/supervised.decorator.js';
export type {
  SupervisedOptions,
  SupervisedMethod,
  SupervisedDecorator,
} from './nest/supervised.decorator.js';
export { StageRegistry } from './nest/stage.registry.js';
export type { SpawnOptions } from './nest/stage.registry.js';
export type { GroupInfo, GroupHealth, StageHealth } from './nest/group-info.js';
export type { StageEvent, RootEvent } from './nest/stage-events.js';
export { DuplicateGroupError } from './nest/errors/duplicate-group-error.js';
export { ScopedProviderError } from './nest/errors/scoped-provider-error.js';
export { ConflictingOptionsError } from './nest/errors/conflicting-options-error.js';
export { UnknownGroupError } from './nest/errors/unknown-group-error.js';
export { StageNotRunningError } from './nest/errors/stage-not-running-error.js';
export type {
  StageFeatureOptions,
  ChannelDeclaration,
  ModuleSupervisorOptions,
} from './nest/stage-feature-options.js';
export { getChannelToken } from './nest/channel-token.js';
export { InjectChannel } from './nest/inject-channel.decorator.js';
export type {
  SupervisedTaskOptions,
  SupervisedHandlerOptions,
  ChannelHandlerMethod,
} from './nest/supervised.decorator.js';
export { DuplicateChannelError } from './nest/errors/duplicate-channel-error.js';
export { UnknownChannelError } from './nest/errors/unknown-channel-error.js';
export { ClientDisconnectedError } from './nest/errors/client-disconnected-error.js';
export { StageExceptionFilter } from './nest/stage-exception.filter.js';
export { toHttpException } from './nest/to-http-exception.js';
export { RequestAbortSignal } from './nest/request-abort-signal.decorator.js';
export type { ChannelInfo } from './nest/channel-info.js';
