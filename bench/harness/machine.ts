import os from 'node:os';

/** The machine a benchmark ran on, recorded next to its figures. */
export interface MachineInfo {
  readonly cpuModel: string;
  readonly cores: number;
  readonly memoryGiB: number;
  readonly node: string;
  readonly v8: string;
  readonly platform: string;
  readonly arch: string;
  /** Whether `global.gc()` was available (`--expose-gc`). */
  readonly exposeGc: boolean;
}

/** Describes the machine this process runs on. */
export function describeMachine(): MachineInfo {
  const cpus = os.cpus();
  return {
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    cores: os.availableParallelism(),
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    v8: process.versions.v8,
    platform: os.platform(),
    arch: os.arch(),
    exposeGc: typeof globalThis.gc === 'function',
  };
}
