import { Module } from '@nestjs/common';
import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { type StageEvent, StageModule, StageRegistry } from 'nestjs-stage';
import { afterEach, describe, expect, it, vi } from 'vitest';

import { AppModule } from '../src/app.module.js';
import type { AppOptions } from '../src/app-options.js';
import { CrashModule } from '../src/crash/crash.module.js';
import { readPipelineCounters, readPipelineRestarts } from '../src/demo/pipeline-counters.js';
import { windDownPipeline } from '../src/demo/pipeline-wind-down.js';
import { AuditSessions } from '../src/pipeline/audit-sessions.js';
import { AuditorService } from '../src/pipeline/auditor.service.js';
import { PIPELINE_OPTIONS } from '../src/pipeline/pipeline-options.js';
import { TickerService } from '../src/pipeline/ticker.service.js';
import { TICKS_CHANNEL } from '../src/pipeline/ticks-channel.js';

let app: INestApplication | undefined;

afterEach(async () => {
  await app?.close();
  app = undefined;
});

/** Boots the demo's AppModule, without HTTP; returns it with every Stage event it emits. */
async function startApp(options: AppOptions): Promise<{ events: StageEvent[] }> {
  const moduleRef = await Test.createTestingModule({
    imports: [AppModule.forRoot({ logging: false, ...options })],
  }).compile();
  app = moduleRef.createNestApplication({ logger: false });
  const events: StageEvent[] = [];
  app.get(StageRegistry).events$.subscribe((event) => events.push(event));
  await app.init();
  return { events };
}

/** The strategy restarts of the pipeline's supervisor: the children each one took. */
function pipelineRestarts(events: readonly StageEvent[]): string[][] {
  return events.flatMap((event) =>
    'supervisor' in event && event.type === 'restarting' && event.supervisor === 'PipelineModule'
      ? [[...event.children]]
      : [],
  );
}

describe('the pipeline (one-for-all)', () => {
  it('restarts the ticker together with the auditor at every crash, losing no tick', async () => {
    const { events } = await startApp({ crashRate: 0.3, tickIntervalMs: 1 });
    await vi.waitFor(() => expect(readPipelineRestarts(app!).restarts).toBeGreaterThanOrEqual(5), {
      timeout: 10_000,
    });

    const beforeWindDown = readPipelineRestarts(app!);
    const restartsBefore = pipelineRestarts(events);
    const windDown = await windDownPipeline(app!, { timeoutMs: 5_000 });
    const counters = readPipelineCounters(app!);

    expect(beforeWindDown).toMatchObject({ strategy: 'one-for-all' });
    // Both children are started again in one step of each restart, so their counts never differ.
    expect(beforeWindDown.ticker).toBe(beforeWindDown.auditor);
    expect(restartsBefore.length).toBeGreaterThanOrEqual(5);
    for (const children of restartsBefore) expect(children).toEqual(['auditor', 'ticker']);
    expect(windDown.drained).toBe(true);
    expect(counters.crashes).toBeGreaterThanOrEqual(5);
    // Once the channel has drained, every crash's restart has started the auditor again.
    expect(counters.restarts).toMatchObject({
      restarts: counters.crashes,
      auditor: counters.crashes,
    });
    expect(counters.audit).toMatchObject({ audited: counters.ticksSent, sequenceBreaks: 0 });
    // Each crash handed its tick back, and a later auditor audited it as carried over.
    expect(counters.audit.carriedOver).toBeGreaterThan(0);
    expect(counters.ledger).toMatchObject({
      accepted: counters.ticksSent,
      handled: counters.ticksSent,
      deadLettered: 0,
      redeliveries: counters.crashes,
    });
    expect(app!.get(AuditSessions).count).toBe(counters.crashes + 1);
  });

  it('keeps the ticker stopped after the wind-down while the auditor goes on', async () => {
    await startApp({ crashRate: 0, tickIntervalMs: 1 });
    const ticker = app!.get(TickerService);
    await vi.waitFor(() => expect(ticker.sent).toBeGreaterThan(10));

    await windDownPipeline(app!, { timeoutMs: 5_000 });
    const sent = ticker.sent;
    await new Promise((resolve) => setTimeout(resolve, 20));

    expect(ticker.sent).toBe(sent);
    expect(app!.get(StageRegistry).status('ticker').state.kind).toBe('stopped');
    expect(app!.get(StageRegistry).status('auditor').state.kind).toBe('running');
    expect(app!.get(AuditorService).figures.audited).toBe(sent);
  });

  it('is left out with pipeline: false', async () => {
    await startApp({ pipeline: false });

    expect(app!.get(StageRegistry).has('ticker')).toBe(false);
    expect(() => readPipelineRestarts(app!)).toThrow(
      'The application has no PipelineModule: it runs with pipeline: false.',
    );
  });

  it('would stall under one-for-one: the ticker keeps its closed session and sends nothing more', async () => {
    @Module({
      imports: [
        StageModule.forFeature({
          channels: [TICKS_CHANNEL],
          supervisor: { strategy: 'one-for-one', intensity: false },
        }),
      ],
      providers: [
        { provide: PIPELINE_OPTIONS, useValue: { tickIntervalMs: 1 } },
        AuditSessions,
        AuditorService,
        TickerService,
      ],
    })
    class OneForOnePipelineModule {}
    const moduleRef = await Test.createTestingModule({
      imports: [
        StageModule.forRoot({ logging: false }),
        CrashModule.forRoot({ rate: 0.2, seed: 3 }),
        OneForOnePipelineModule,
      ],
    }).compile();
    app = moduleRef.createNestApplication({ logger: false });
    await app.init();
    const registry = app.get(StageRegistry);
    await vi.waitFor(() =>
      expect(registry.tree().children[0]?.status).toMatchObject({ restarts: 1 }),
    );

    const sent = app.get(TickerService).sent;
    await new Promise((resolve) => setTimeout(resolve, 50));

    expect(app.get(TickerService).sent).toBe(sent);
    expect(app.get(AuditSessions).count).toBeGreaterThanOrEqual(2);
    expect(registry.status('ticker')).toMatchObject({ running: 1, restarts: 0 });
  });
});
