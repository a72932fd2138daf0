import type { INestApplicationContext } from '@nestjs/common';
import {
  type ChannelStats,
  StageRegistry,
  type SupervisorStatus,
  type SupervisorStrategy,
} from 'nestjs-stage';

import { CrashInjector } from '../crash/crash-injector.js';
import type { AuditFigures } from '../pipeline/audit-trail.js';
import { AuditorService } from '../pipeline/auditor.service.js';
import { PipelineModule } from '../pipeline/pipeline.module.js';
import { TickerService } from '../pipeline/ticker.service.js';
import { TICKS_CHANNEL } from '../pipeline/ticks-channel.js';

/** The pipeline's supervisor as the supervision tree shows it, at one moment. */
export interface PipelineRestarts {
  readonly strategy: SupervisorStrategy;
  /** Strategy restarts of the supervisor so far. */
  readonly restarts: number;
  /** Restarts of the auditor by the supervisor so far. */
  readonly auditor: number;
  /** Restarts of the ticker by the supervisor so far. */
  readonly ticker: number;
}

/** What the application counted for the pipeline, read from its providers. */
export interface PipelineCounters {
  /** Ticks the channel accepted from the ticker. */
  readonly ticksSent: number;
  /** What the auditor audited. */
  readonly audit: AuditFigures;
  /** Crashes injected into the auditor. */
  readonly crashes: number;
  /** The `ticks` channel's ledger. */
  readonly ledger: ChannelStats;
  /** The supervisor's figures. */
  readonly restarts: PipelineRestarts;
}

/**
 * Reads the pipeline's supervisor (`root/PipelineModule`) from `StageRegistry.tree()`.
 *
 * @throws Error when the application has no pipeline (`pipeline: false`).
 */
export function readPipelineRestarts(app: INestApplicationContext): PipelineRestarts {
  const tree = app.get(StageRegistry).tree();
  const node = tree.children.find((child) => child.name === PipelineModule.name)?.status;
  if (node === undefined || !('kind' in node)) {
    throw new Error(`The application has no ${PipelineModule.name}: it runs with pipeline: false.`);
  }
  return {
    strategy: node.strategy,
    restarts: node.restarts,
    auditor: childRestarts(node, 'auditor'),
    ticker: childRestarts(node, 'ticker'),
  };
}

/**
 * Reads the pipeline's counters from the running application.
 *
 * @throws Error when the application has no pipeline (`pipeline: false`).
 */
export function readPipelineCounters(app: INestApplicationContext): PipelineCounters {
  return {
    restarts: readPipelineRestarts(app),
    ticksSent: app.get(TickerService).sent,
    audit: app.get(AuditorService).figures,
    crashes: app.get(CrashInjector).crashes('pipeline'),
    ledger: app.get(StageRegistry).channel(TICKS_CHANNEL.name).stats,
  };
}

function childRestarts(supervisor: SupervisorStatus, name: string): number {
  return supervisor.children.find((child) => child.name === name)?.restarts ?? 0;
}
