import { fileURLToPath } from 'node:url';
import swc from 'unplugin-swc';
import { defineConfig } from 'vitest/config';

// SWC (not esbuild) compiles the sources so that decorator metadata is emitted, which Nest's
// dependency injection reads at run time.
export default defineConfig({
  plugins: [swc.vite({ module: { type: 'es6' } })],
  resolve: {
    alias: [
      {
        find: /^nestjs-stage\/core$/,
        replacement: fileURLToPath(new URL('./libs/stage/src/core/index.ts', import.meta.url)),
      },
      {
        find: /^nestjs-stage\/redis$/,
        replacement: fileURLToPath(new URL('./libs/stage/src/redis/index.ts', import.meta.url)),
      },
      {
        find: /^nestjs-stage$/,
        replacement: fileURLToPath(new URL('./libs/stage/src/index.ts', import.meta.url)),
      },
    ],
  },
  test: {
    include: ['libs/**/*.spec.ts', 'src/**/*.spec.ts', 'test/**/*.spec.ts'],
    environment: 'node',
    pool: 'forks',
    // A full GC on demand, so that the short chaos run checks heap growth as the long one does.
    execArgv: ['--expose-gc'],
    testTimeout: 20_000,
    hookTimeout: 20_000,
    restoreMocks: true,
  },
});
