// Browser test files run one at a time over one database per project (browser, browser-late); each seeds what it needs, and
// this order drawn from the run's seed keeps it so: a file that starts to rely on another
// having run first fails in some run, not never. Other projects keep Vitest's order
// (slowest first, which keeps parallel runs short). Vitest can shuffle files only for
// every project at once, hence a sequencer. Repeat an order with --sequence.seed=<seed>.
import { BaseSequencer, type TestSpecification } from 'vitest/node';
import { seededRng } from '../../../scripts/zoom-emulator/ids.ts';

export class BrowserShuffleSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const isBrowser = (f: TestSpecification) => f.project.name.startsWith('browser');
    // From a fixed order (the glob's can vary), so the seed alone decides.
    const browser = sorted.filter(isBrowser).sort((a, b) => (a.moduleId < b.moduleId ? -1 : 1));
    if (browser.length < 2) return sorted;
    const seed = this.ctx.config.sequence.seed;
    const next = seededRng(seed);
    for (let i = browser.length - 1; i > 0; i--) {
      const j = Math.floor(next() * (i + 1));
      [browser[i], browser[j]] = [browser[j]!, browser[i]!];
    }
    process.stderr.write(`[browser] files in shuffled order, seed ${seed} (repeat with --sequence.seed=${seed})\n`);
    let k = 0;
    return sorted.map((f) => (isBrowser(f) ? browser[k++]! : f));
  }
}
