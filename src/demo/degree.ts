/** A degree of Stage the demo can show: 1, an application's own queue; 2, a Stage channel. */
export type Degree = 1 | 2;

/** Every degree the demo shows, in order. */
export const DEGREES: readonly Degree[] = [1, 2];

/** How the demo presents a degree. */
export interface DegreeInfo {
  /** The endpoint that adds in this degree. */
  readonly path: string;
  /** A few words naming how requests reach the workers, for the summary's column header. */
  readonly short: string;
  /** One line on how requests reach the workers. */
  readonly summary: string;
}

export const DEGREE_INFO: Readonly<Record<Degree, DegreeInfo>> = {
  1: {
    path: '/v1/add',
    short: 'own queue',
    summary: "the application's own queue; a crash loses the request, the HTTP handler retries",
  },
  2: {
    path: '/v2/add',
    short: 'Stage channel',
    summary: 'a Stage channel; a crash fails one delivery, Stage redelivers, no retry needed',
  },
};
