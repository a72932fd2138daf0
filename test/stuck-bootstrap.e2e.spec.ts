import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

import { describe, expect, it } from 'vitest';

const REGISTER = fileURLToPath(new URL('./fixtures/swc-register.mjs', import.meta.url));
const APP = fileURLToPath(new URL('./fixtures/stuck-bootstrap-app.ts', import.meta.url));

interface Exited {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

function runApp(stuckIn: string): Promise<Exited> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', REGISTER, APP],
      { timeout: 15_000, env: { ...process.env, STUCK_IN: stuckIn } },
      (error, stdout, stderr) =>
        resolve({ code: error === null ? 0 : Number(error.code), stdout, stderr }),
    );
  });
}

describe('an application that awaits a request before its consumers start', () => {
  it.each(['onModuleInit', 'onApplicationBootstrap'])(
    'says why its bootstrap never finished before Node ends it, when awaited in %s',
    async (stuckIn) => {
      const { code, stdout, stderr } = await runApp(stuckIn);

      expect(code).toBe(13); // Node's exit code for a top-level await that never settles
      expect(stdout).not.toContain('bootstrapped');
      expect(stderr).toContain(
        'The process is ending with messages waiting for consumers that never started ' +
          '(channel "jobs" holds 1).',
      );
      expect(stderr).toContain('Make the request once app.init() or app.listen() has resolved');
    },
    20_000,
  );
});
