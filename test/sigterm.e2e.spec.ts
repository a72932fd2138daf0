import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const REGISTER = fileURLToPath(new URL('./fixtures/swc-register.mjs', import.meta.url));
const APP = fileURLToPath(new URL('./fixtures/sigterm-app.ts', import.meta.url));

/** Kills the child if it has not exited by then: a hang fails the test instead of stalling it. */
const HANG_LIMIT_MS = 15_000;

describe('an application with enableShutdownHooks()', () => {
  it('stops every task before its client on SIGTERM and exits by itself with code 0', async () => {
    const child = spawn(process.execPath, ['--import', REGISTER, APP], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const lines: string[] = [];
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const ready = new Promise<void>((resolve) => {
      createInterface({ input: child.stdout }).on('line', (line) => {
        lines.push(line);
        const started = ['task 0 started', 'task 1 started', 'flaky failed'];
        if (started.every((marker) => lines.includes(marker))) resolve();
      });
    });
    // 'close', not 'exit': only then has every line the child printed been read.
    const exited = once(child, 'close') as Promise<[number | null, NodeJS.Signals | null]>;
    const hang = setTimeout(() => child.kill('SIGKILL'), HANG_LIMIT_MS);

    try {
      await Promise.race([ready, exited]);
      expect(lines, stderr).toContain('ready');
      child.kill('SIGTERM');
      const [code, signal] = await exited;

      expect({ code, signal, stderr }).toEqual({ code: 0, signal: null, stderr: '' });
      expect(lines).not.toContain('query on a closed client');
      const closed = lines.indexOf('client closed');
      expect(lines.indexOf('task 0 settled')).toBeGreaterThan(-1);
      expect(lines.indexOf('task 0 settled')).toBeLessThan(closed);
      expect(lines.indexOf('task 1 settled')).toBeLessThan(closed);
      expect(lines.at(-1)).toBe('exit 0');
    } finally {
      clearTimeout(hang);
      child.kill('SIGKILL');
    }
  }, 30_000);
});
