import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const REGISTER = fileURLToPath(new URL('./fixtures/swc-register.mjs', import.meta.url));
const SCRIPT = fileURLToPath(new URL('./fixtures/exits-after-stop.ts', import.meta.url));

/**
 * Far below the 30 to 60 s a leftover timer would keep the process alive, far above a start of
 * Node with the sources compiled on the fly on a busy machine.
 */
const EXIT_LIMIT_MS = 15_000;

describe('a plain Node script using Stage', () => {
  it.each(['group backoff', 'supervisor backoff', 'channel redelivery', 'request timeout'])(
    'exits by itself once what armed a long timer (%s) is stopped',
    async (scenario) => {
      const { stdout, stderr } = await run(
        process.execPath,
        ['--import', REGISTER, SCRIPT, scenario],
        {
          timeout: EXIT_LIMIT_MS,
        },
      );

      expect(stderr).toBe('');
      expect(stdout.trim()).toBe('stopped');
    },
    EXIT_LIMIT_MS + 5_000,
  );
});
