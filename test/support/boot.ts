import type { ModuleMetadata } from '@nestjs/common';
import { Test, type TestingModule } from '@nestjs/testing';

import { CaptureLogger } from './capture-logger.js';

/** A compiled test application and the logger that captured its output. */
export interface Booted {
  readonly app: TestingModule;
  readonly logs: CaptureLogger;
}

/**
 * Compiles a testing module with a capturing logger; `init` (default true) also runs the
 * lifecycle up to `onApplicationBootstrap`. The caller closes the app.
 */
export async function boot(metadata: ModuleMetadata, { init = true } = {}): Promise<Booted> {
  const logs = new CaptureLogger();
  const app = await Test.createTestingModule(metadata).setLogger(logs).compile();
  if (init) await app.init();
  return { app, logs };
}

/** Resolves when `signal` fires (at once if it has fired). */
export function aborted(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) =>
    signal.addEventListener('abort', () => resolve(), { once: true }),
  );
}
