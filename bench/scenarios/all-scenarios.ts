import type { Scenario } from '../harness/scenario.js';
import { channelVsBareQueueScenario, channelVsEffectQueueScenario } from './channel-one-way.js';
import { channelVsBullmqScenario } from './channel-vs-bullmq.js';
import { groupRestartsScenario } from './group-restarts.js';
import { handlerFailuresScenario } from './handler-failures.js';
import { idleHandlerMemoryScenario, idleLoopMemoryScenario } from './idle-task-memory.js';
import { requestReplyScenario } from './channel-request-reply.js';
import {
  redisStreamsVsBullmqScenario,
  redisStreamsVsRawScenario,
} from './redis-streams-one-way.js';

/** Every row of the DESIGN performance table, in the table's order. */
export const ALL_SCENARIOS: readonly Scenario[] = [
  channelVsBareQueueScenario,
  channelVsEffectQueueScenario,
  requestReplyScenario,
  groupRestartsScenario,
  handlerFailuresScenario,
  idleHandlerMemoryScenario,
  idleLoopMemoryScenario,
  channelVsBullmqScenario,
  redisStreamsVsBullmqScenario,
  redisStreamsVsRawScenario,
];
