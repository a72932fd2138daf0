/**
 * Stage: supervised task groups, restart-safe channels and supervision trees for NestJS.
 *
 * This file is the library's curated public API: anything not exported here is internal.
 */

// The framework-free core: task groups, channels, supervisors and their errors.
export * from './core/index.js';

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
export { OptionsReadEarlyError } from './nest/errors/options-read-early-error.js';
export { UnknownGroupError } from './nest/errors/unknown-group-error.js';
export { StageNotRunningError } from './nest/errors/stage-not-running-error.js';
export type { StageNotRunningPhase } from './nest/errors/stage-not-running-error.js';
export type {
  StageFeatureOptions,
  StageFeatureAsyncOptions,
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
