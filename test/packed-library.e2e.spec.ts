import { execFile } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const LIBRARY = join(ROOT, 'libs/stage');
const FIXTURES = fileURLToPath(new URL('./fixtures/packed-app/', import.meta.url));
const TSC = join(ROOT, 'node_modules/typescript/bin/tsc');

/** Packing, installing from npm's cache and compiling take a while on two cores. */
const SLOW_MS = 120_000;

/** The versions this workspace uses, so that npm finds them in its cache. */
async function workspaceVersions(names: readonly string[]): Promise<string[]> {
  const manifest = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as {
    dependencies: Record<string, string>;
    devDependencies: Record<string, string>;
  };
  return names.map((name) => {
    const range = manifest.dependencies[name] ?? manifest.devDependencies[name];
    if (range === undefined) throw new Error(`${name} is not a dependency of the workspace`);
    return `${name}@${range}`;
  });
}

/** The first TypeScript block of the package README's NestJS section. */
async function packageReadmeExample(): Promise<string> {
  const readme = await readFile(join(LIBRARY, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## In a NestJS application'));
  const block = /```ts\n([\s\S]*?)```/.exec(section);
  if (block === null) throw new Error('the package README has no NestJS example');
  return block[1]!;
}

async function npm(cwd: string, args: readonly string[]): Promise<string> {
  const { stdout } = await run('npm', [...args], { cwd, maxBuffer: 16 * 1024 * 1024 });
  return stdout;
}

async function install(project: string, packages: readonly string[]): Promise<void> {
  await mkdir(project, { recursive: true });
  await writeFile(
    join(project, 'package.json'),
    JSON.stringify({ name: 'fresh-project', private: true, type: 'module' }),
  );
  await npm(project, ['install', '--prefer-offline', '--no-audit', '--no-fund', ...packages]);
}

/** Runs `node <file>` in `cwd` and returns the JSON it printed last; it must exit by itself. */
async function runNode(cwd: string, file: string): Promise<unknown> {
  const { stdout, stderr } = await run(process.execPath, [file], { cwd, timeout: 15_000 });
  expect(stderr).toBe('');
  return JSON.parse(stdout.trim().split('\n').at(-1) ?? 'null');
}

describe('the packed library, installed outside the repository', () => {
  let workdir: string;
  let tarball: string;
  let packed: string[];

  beforeAll(async () => {
    workdir = await mkdtemp(join(tmpdir(), 'stage-packed-'));
    await run(process.execPath, [TSC, '-b', join(LIBRARY, 'tsconfig.build.json')]);
    const report = JSON.parse(
      await npm(LIBRARY, ['pack', '--json', '--ignore-scripts', '--pack-destination', workdir]),
    ) as { filename: string; files: { path: string }[] }[];
    tarball = join(workdir, report[0]!.filename);
    packed = report[0]!.files.map((file) => file.path);
  }, SLOW_MS);

  afterAll(async () => {
    if (workdir !== undefined) await rm(workdir, { recursive: true, force: true });
  });

  it('ships the built entries, the sources for the source maps and the docs, and no tests', () => {
    for (const entry of ['index', 'core/index', 'redis/index']) {
      expect(packed).toContain(`dist/${entry}.js`);
      expect(packed).toContain(`dist/${entry}.d.ts`);
    }
    expect(packed).toEqual(
      expect.arrayContaining(['README.md', 'docs/channels.md', 'src/index.ts', 'package.json']),
    );
    expect(packed.filter((path) => /\.spec(-helper)?\.|tsbuildinfo/.test(path))).toEqual([]);
  });

  it(
    'runs its core in plain Node with nothing else installed, and says the Nest entry needs Nest',
    async () => {
      const project = join(workdir, 'plain');
      await install(project, [tarball]);
      await copyFile(join(FIXTURES, 'plain-node.mjs'), join(project, 'main.mjs'));

      expect(await runNode(project, 'main.mjs')).toEqual({
        seen: ['started', 'failed', 'restarting', 'started', 'task-stopped', 'stopped'],
        clean: true,
        nestEntry: 'ERR_MODULE_NOT_FOUND',
      });
    },
    SLOW_MS,
  );

  it(
    'type-checks and runs in a fresh Nest application: restarts the crashed task, stops it before its dependency, exits',
    async () => {
      const project = join(workdir, 'nest');
      const peers = await workspaceVersions([
        '@nestjs/common',
        '@nestjs/core',
        '@nestjs/platform-express',
        'reflect-metadata',
        'rxjs',
        '@types/node',
      ]);
      await install(project, [tarball, ...peers]);
      for (const file of ['nest-app.ts', 'tsconfig.json']) {
        await copyFile(join(FIXTURES, file), join(project, file));
      }
      // The package README's Nest example is compiled with the app, so that it cannot rot.
      await writeFile(join(project, 'readme-example.ts'), await packageReadmeExample());

      await run(process.execPath, [TSC, '-p', 'tsconfig.json'], { cwd: project });

      expect(await runNode(project, 'dist/nest-app.js')).toEqual({
        restarts: 1,
        running: 0,
        sawClosedClock: false,
      });
    },
    SLOW_MS,
  );
});
