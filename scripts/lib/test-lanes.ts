// How `npm test` (scripts/test.ts) splits the suite into Vitest processes that run at once.
// The whole suite: the browser lane (Chromium and a system of its own) beside the server
// lane; each is mostly one core busy and their files are isolated (own databases, Redis
// prefixes, ports). The server lane ends with the longest browser file (browser-late, a
// system of its own too) so that both lanes end at about the same time. A run narrowed by arguments, or EXAM_HALL_TEST_LANES=1, is one process.
export interface TestLane {
  name: string;
  /** Vitest projects of the lane; empty: every project. */
  projects: string[];
}

export function testLanes(args: readonly string[], env: Readonly<Record<string, string | undefined>>): TestLane[] {
  if (args.length > 0 || env.EXAM_HALL_TEST_LANES === '1') return [{ name: 'all', projects: [] }];
  return [
    { name: 'browser', projects: ['browser'] },
    { name: 'server', projects: ['unit', 'unit-isolated', 'service', 'integration', 'contracts', 'browser-late'] },
  ];
}
