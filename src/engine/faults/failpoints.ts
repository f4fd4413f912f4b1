import { NO_FAILPOINTS, parseFailpoints, type Failpoints } from '../../config/failpoints';

/**
 * The failpoints in force in this process or worker (src/config/failpoints.ts says what each
 * does). Set once by whoever starts the engine: the CLI and the tests from TRICKS_FAILPOINTS, the
 * page from its localStorage key through the worker. Off unless set.
 */
let active: Failpoints = NO_FAILPOINTS;

export function setFailpoints(failpoints: Failpoints): void {
  active = failpoints;
}

export function activeFailpoints(): Failpoints {
  return active;
}

/** Parses `text` and puts it in force; throws one message naming every bad entry. */
export function setFailpointsFromText(text: string, knownKernels: ReadonlySet<string>): Failpoints {
  const { failpoints, errors } = parseFailpoints(text, knownKernels);
  if (errors.length > 0) throw new Error(`Failpoints: ${errors.join('; ')}`);
  setFailpoints(failpoints);
  return failpoints;
}

/** The kernel whose pipelines `label` belongs to, when a compile failpoint names it. */
export function compileFailpointOf(label: string): string | null {
  for (const id of active.compile) if (label.startsWith(`${id} `)) return id;
  return null;
}
