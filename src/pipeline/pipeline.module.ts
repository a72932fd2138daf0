import { type DynamicModule, Module } from '@nestjs/common';
import { StageModule } from 'nestjs-stage';

import { AuditSessions } from './audit-sessions.js';
import { AuditorService } from './auditor.service.js';
import { PIPELINE_OPTIONS, type PipelineOptions } from './pipeline-options.js';
import { TickerService } from './ticker.service.js';
import { TICKS_CHANNEL } from './ticks-channel.js';

/**
 * A pipeline under a `one-for-all` supervisor: a ticker that produces ticks and an auditor that
 * audits them, joined by the `ticks` channel. The ticker numbers its ticks within the auditor's
 * session, which dies with the auditor, so a crash of the auditor must restart the ticker too:
 * the module's supervisor (`root/PipelineModule`) restarts both, in order (auditor, then ticker).
 *
 * The auditor's group gives up at its first failure, so every crash is a restart of the
 * supervisor. The demo crashes it on purpose, often: the supervisor allows as many restarts as the
 * demo's groups do (the default, 3 in 60 s, is made for real failures and would give up; the
 * root would then restart the whole module after 30 s). Needs `StageModule` and `CrashModule` in
 * the application.
 */
@Module({})
export class PipelineModule {
  static forRoot(options: PipelineOptions): DynamicModule {
    return {
      module: PipelineModule,
      imports: [
        StageModule.forFeature({
          channels: [TICKS_CHANNEL],
          supervisor: {
            strategy: 'one-for-all',
            intensity: { maxRestarts: 1_000, withinMs: 1_000 },
          },
        }),
      ],
      // The auditor first: children start in this order, and the ticker joins its session.
      providers: [
        { provide: PIPELINE_OPTIONS, useValue: options },
        AuditSessions,
        AuditorService,
        TickerService,
      ],
    };
  }
}
