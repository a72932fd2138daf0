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

function runApp(): Promise<Exited> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', REGISTER, APP],
      { timeout: 15_000 },
      (error, stdout, stderr) =>
        resolve({ code: error === null ? 0 : Number(error.code), stdout, stderr }),
    );
  });
}

describe('an application that awaits a request before its consumers start', () => {
  it('says why its bootstrap never finished before Node ends it', async () => {
    const { code, stdout, stderr } = await runApp();

    expect(code).toBe(13); // Node's exit code for a top-level await that never settles
    expect(stdout).not.toContain('bootstrapped');
    expect(stderr).toContain(
      'The application is ending before its bootstrap finished, with messages waiting for ' +
        'consumers that start only once it has (channel "jobs" holds 1).',
    );
    expect(stderr).toContain(
      'give the request a timeoutMs, or make it from onApplicationBootstrap()',
    );
  }, 20_000);
});
