// Moodle XML: every construct of the hand-written fixture, its report, and the round trip.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { QuestionInput } from '@exam-hall/protocol';
import { parseQuestionFile, renderQuestionFile } from '../../src/modules/interchange/interchange.service.ts';

const fixture = readFileSync(new URL('../fixtures/interchange/moodle-all.xml', import.meta.url), 'utf8');
const parsed = parseQuestionFile('moodle_xml', fixture);
const byName = (name: string) => {
  const i = parsed.report.entries.filter((e) => e.outcome === 'imported').findIndex((e) => e.name === name);
  expect(i, `${name} imported`).toBeGreaterThanOrEqual(0);
  return parsed.questions[i]!;
};
const entry = (name: string) => parsed.report.entries.find((e) => e.name === name)!;
const of = <T extends QuestionInput['type']>(q: QuestionInput, type: T) => {
  expect(q.type).toBe(type);
  return q as Extract<QuestionInput, { type: T }>;
};

describe('Moodle XML import', () => {
  it('reports every source question once, in order, with imported and skipped counts', () => {
    expect(parsed.report.entries.map((e) => e.index)).toEqual(parsed.report.entries.map((_, i) => i + 1));
    expect(parsed.report.entries).toHaveLength(18);
    expect(parsed.report.imported).toBe(14);
    expect(parsed.report.skipped).toBe(4);
    expect(parsed.questions).toHaveLength(14);
  });

  it('multichoice with <single>true: one correct option, points, general feedback as explanation, tags + category', () => {
    const q = of(byName('Capital of France'), 'single_choice');
    expect(q.content.options.map((o) => o.text)).toEqual(['Paris', 'Lyon', 'Marseille']);
    expect(q.answerKey.correct).toBe('o1');
    expect(q.points).toBe(2);
    expect(q.explanation).toBe('<p>Paris has been the capital since 987.</p>');
    expect(q.tags).toEqual(['europe', 'Geography/Capitals']);
    expect(entry('Capital of France').warnings).toContain('Feedback on answers is not imported');
  });

  it('multichoice with <single>false: positive fractions are the correct ones, and the fractions are noted', () => {
    const q = of(byName('Prime numbers'), 'multiple_choice');
    expect(q.answerKey.correct).toEqual(['o1', 'o2']);
    expect(entry('Prime numbers').warnings.join()).toMatch(/fractions are not kept/);
  });

  it('a partly right answer of a single-answer question loses its credit, with a warning', () => {
    const q = of(byName('Partly right single'), 'single_choice');
    expect(q.answerKey.correct).toBe('o1');
    expect(entry('Partly right single').warnings.join()).toMatch(/only 'Pacific' is correct/);
  });

  it('truefalse', () => {
    expect(of(byName('Earth is flat'), 'true_false').answerKey.correct).toBe(false);
  });

  it('shortanswer: usecase, full-mark answers only, wildcard answers become a pattern', () => {
    const q = of(byName('Author of Hamlet'), 'short_answer');
    expect(q.answerKey).toMatchObject({ accepted: ['Shakespeare', 'William Shakespeare'], caseSensitive: true });
    const w = of(byName('Wildcard'), 'short_answer');
    expect(w.answerKey.pattern).toBe('r.*d');
    expect(new RegExp(`^${w.answerKey.pattern}$`).test('red')).toBe(true);
  });

  it('numerical: tolerance, partial fraction, units with multipliers, unit required', () => {
    const q = of(byName('Speed of light'), 'numeric');
    expect(q.answerKey.answers).toEqual([
      { value: 300000, tolerance: 1000, fraction: 1 },
      { value: 300000, tolerance: 20000, fraction: 0.5 },
    ]);
    expect(q.content).toEqual({
      units: [
        { unit: 'km/s', multiplier: 1 },
        { unit: 'm/s', multiplier: 1000 },
      ],
      unitRequired: true,
    });
  });

  it('essay: word limit and grader information', () => {
    const q = of(byName('Essay on rivers'), 'essay');
    expect(q.content.wordLimit).toBe(300);
    expect(q.answerKey.guidance).toBe('<p>Source, countries, mouth.</p>');
    expect(q.points).toBe(10);
  });

  it('matching: empty subquestions are distractor choices', () => {
    const q = of(byName('Countries and capitals'), 'matching');
    expect(q.content.stems.map((s) => s.text)).toEqual(['Italy', 'Spain', 'Japan']);
    expect(q.content.choices.map((c) => c.text)).toEqual(['Rome', 'Madrid', 'Tokyo', 'Oslo']);
    expect(q.answerKey.pairs).toEqual([
      { stemId: 's1', choiceId: 'c1' },
      { stemId: 's2', choiceId: 'c2' },
      { stemId: 's3', choiceId: 'c3' },
    ]);
  });

  it('ordering (qtype_ordering): answers in their order', () => {
    const q = of(byName('Planets by distance'), 'ordering');
    expect(q.content.items.map((i) => i.text)).toEqual(['Mercury', 'Venus', 'Earth']);
    expect(q.answerKey.order).toEqual(['i1', 'i2', 'i3']);
  });

  it('gapselect and ddwtos: each [[n]] becomes a drop-down of its group', () => {
    const g = of(byName('Select missing words'), 'fill_blanks');
    expect(g.prompt).toBe('<p>The [[g1]] sat on the [[g2]].</p>');
    expect(g.content.gaps.map((x) => x.options?.map((o) => o.text))).toEqual([
      ['cat', 'dog'],
      ['mat', 'hat'],
    ]);
    expect(g.answerKey.gaps.map((k) => k.accepted)).toEqual([['g1o1'], ['g2o1']]);
    const d = of(byName('Drag words'), 'fill_blanks');
    expect(d.answerKey.gaps.map((k) => k.accepted)).toEqual([['g1o1'], ['g2o2']]);
    expect(entry('Drag words').warnings.join()).toMatch(/drop-down/);
  });

  it('cloze with typed and drop-down gaps becomes fill_blanks; a NUMERICAL gap is skipped with the reason', () => {
    const q = of(byName('Cloze capitals'), 'fill_blanks');
    expect(q.prompt).toBe('<p>The capital of Germany is [[g1]] and of Austria [[g2]].</p>');
    expect(q.answerKey.gaps[0]).toEqual({ gapId: 'g1', accepted: ['Berlin'], caseSensitive: false });
    expect(q.answerKey.gaps[1]!.accepted).toEqual(['g2o2']);
    expect(entry('Cloze with a number')).toMatchObject({
      outcome: 'skipped',
      reason: 'Cloze NUMERICAL gaps have no equivalent here',
    });
  });

  it('@@PLUGINFILE@@ images become data: URIs; a missing file skips the question naming it', () => {
    expect(byName('Flag').prompt).toMatch(/<img src="data:image\/png;base64,iVBORw0KGgo[^"]+" alt="a flag">/);
    expect(entry('Missing image')).toMatchObject({
      outcome: 'skipped',
      reason: expect.stringMatching(/'missing\.png' is referenced but missing/),
    });
  });

  it('description and calculated are skipped with the reason', () => {
    expect(entry('Instructions')).toMatchObject({ outcome: 'skipped', sourceType: 'description', type: null });
    expect(entry('Area of a circle').reason).toBe("Moodle 'calculated' questions have no equivalent here");
  });
});

describe('Moodle XML export', () => {
  it('round trip: import -> export -> import gives the same questions', () => {
    const again = parseQuestionFile('moodle_xml', renderQuestionFile('moodle_xml', parsed.questions));
    expect(again.report.skipped).toBe(0);
    expect(again.questions).toEqual(parsed.questions);
  });

  it('writes images as <file> elements and a pattern that is not a wildcard as a comment', () => {
    const xml = renderQuestionFile('moodle_xml', [
      byName('Flag'),
      {
        ...byName('Wildcard'),
        answerKey: { accepted: ['x'], caseSensitive: false, whitespace: 'collapse', pattern: '^\\d+$' },
      } as QuestionInput,
    ]);
    expect(xml).toContain('@@PLUGINFILE@@/image-1.png');
    expect(xml).toMatch(/<file name="image-1.png" path="\/" encoding="base64">iVBOR/);
    expect(xml).toContain('cannot be written as Moodle * wildcards');
  });
});
