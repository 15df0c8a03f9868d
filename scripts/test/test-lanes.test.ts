import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { testLanes } from '../lib/test-lanes.ts';

// Every project of vitest.config.ts, read from the file so a new project cannot be left out of the lanes.
const configured = [
  ...readFileSync(new URL('../../vitest.config.ts', import.meta.url), 'utf8').matchAll(/name: '([\w-]+)'/g),
]
  .map((m) => m[1]!)
  .sort();

describe('npm test lanes', () => {
  it('runs the whole suite as a browser lane beside a server lane that together hold every project once', () => {
    const lanes = testLanes([], {});
    expect(lanes.map((l) => l.name)).toEqual(['browser', 'server']);
    expect(lanes.flatMap((l) => l.projects).sort()).toEqual(configured);
  });

  it('runs one process when narrowed by arguments or asked to', () => {
    expect(testLanes(['server/test/unit/csv.test.ts'], {})).toEqual([{ name: 'all', projects: [] }]);
    expect(testLanes([], { EXAM_HALL_TEST_LANES: '1' })).toEqual([{ name: 'all', projects: [] }]);
  });
});
