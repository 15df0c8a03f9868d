// QTI 3.0 items: every interaction of the hand-written fixture, the report, export and round trip.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { QuestionInput } from '@exam-hall/protocol';
import { parseQuestionFile, renderQuestionFile } from '../../src/modules/interchange/interchange.service.ts';

const fixture = readFileSync(new URL('../fixtures/interchange/qti3-items.xml', import.meta.url), 'utf8');
const parsed = parseQuestionFile('qti3', fixture);
const imported = parsed.report.entries.filter((e) => e.outcome === 'imported');
const byName = (name: string) => {
  const i = imported.findIndex((e) => e.name === name);
  expect(i, `${name} imported`).toBeGreaterThanOrEqual(0);
  return parsed.questions[i]!;
};
const entry = (name: string) => parsed.report.entries.find((e) => e.name === name)!;
const of = <T extends QuestionInput['type']>(q: QuestionInput, type: T) => {
  expect(q.type).toBe(type);
  return q as Extract<QuestionInput, { type: T }>;
};

describe('QTI 3.0 import', () => {
  it('reads every qti-assessment-item in the document', () => {
    expect(parsed.report).toMatchObject({ format: 'qti3', imported: 9, skipped: 3 });
  });

  it('choice interaction: max-choices 1 is single choice (points from MAXSCORE), otherwise multiple', () => {
    const s = of(byName('Capital of France'), 'single_choice');
    expect(s.prompt).toBe('<p>Look at the map.</p>\nWhat is the capital of France?');
    expect(s.content.options.map((o) => o.text)).toEqual(['Paris', 'Lyon', 'Nice']);
    expect(s.answerKey.correct).toBe('o1');
    expect(s.points).toBe(2);
    expect(of(byName('Primes'), 'multiple_choice').answerKey.correct).toEqual(['o1', 'o2']);
  });

  it('a True/False choice is true_false', () => {
    expect(of(byName('Water is wet'), 'true_false').answerKey.correct).toBe(true);
  });

  it('a lone text entry: short answer from correct response and full-mark map entries; partial noted', () => {
    const q = of(byName('Author of Hamlet'), 'short_answer');
    expect(q.prompt).toBe('<p>Who wrote <em>Hamlet</em>?</p>');
    expect(q.answerKey.accepted).toEqual(['Shakespeare', 'William Shakespeare']);
    expect(entry('Author of Hamlet').warnings.join()).toMatch(/Partly right/);
  });

  it('a float text entry is numeric, with the tolerance of its qti-equal', () => {
    const q = of(byName('Boiling point'), 'numeric');
    expect(q.prompt).toBe('<p>At what temperature (in °C) does water boil at sea level?</p>');
    expect(q.answerKey.answers).toEqual([{ value: 100, tolerance: 0.5, fraction: 1 }]);
  });

  it('extended text is an essay; the scorer rubric block is the guidance', () => {
    const q = of(byName('Essay'), 'essay');
    expect(q.prompt).toBe('Write about the causes of the First World War.');
    expect(q.answerKey.guidance).toBe('<p>Award marks for structure and evidence.</p>');
  });

  it('match interaction with directed pairs; a match with fewer choices than stems is skipped with the reason', () => {
    const q = of(byName('Rivers and countries'), 'matching');
    expect(q.content.stems.map((s) => s.text)).toEqual(['Nile', 'Amazon', 'Yangtze']);
    expect(q.content.choices.map((c) => c.text)).toEqual(['Brazil', 'China', 'Egypt', 'France']);
    expect(q.answerKey.pairs).toEqual([
      { stemId: 's1', choiceId: 'c3' },
      { stemId: 's2', choiceId: 'c1' },
      { stemId: 's3', choiceId: 'c2' },
    ]);
    expect(entry('Characters and plays')).toMatchObject({
      outcome: 'skipped',
      reason: expect.stringMatching(/as many choices as stems/),
    });
  });

  it('order interaction', () => {
    const q = of(byName('Grand Prix'), 'ordering');
    expect(q.content.items.map((i) => i.text)).toEqual(['Rubens Barrichello', 'Jenson Button', 'Michael Schumacher']);
    expect(q.answerKey.order).toEqual(['i3', 'i1', 'i2']);
  });

  it('inline choice and text entry gaps in a text are fill_blanks', () => {
    const q = of(byName('Richard III'), 'fill_blanks');
    expect(q.prompt).toContain('this sun of\n[[g1]]; and of the house of [[g2]].</p>');
    expect(q.content.gaps[0]!.options!.map((o) => o.text)).toEqual(['Gloucester', 'Lancaster', 'York']);
    expect(q.answerKey.gaps).toEqual([
      { gapId: 'g1', accepted: ['g1o3'], caseSensitive: false },
      { gapId: 'g2', accepted: ['York'], caseSensitive: true },
    ]);
  });

  it('other interactions and images outside the document are skipped with the reason', () => {
    expect(entry('Airport on the map').reason).toBe('QTI qti-hotspot-interaction has no equivalent here');
    expect(entry('Which bird').reason).toMatch(/'images\/bird\.jpg' is missing/);
  });
});

describe('QTI 3.0 export', () => {
  it('round trip: import -> export -> import gives the same questions', () => {
    const xml = renderQuestionFile('qti3', parsed.questions);
    expect(xml).toContain('<qti-assessment-item xmlns="http://www.imsglobal.org/xsd/imsqtiasi_v3p0"');
    const again = parseQuestionFile('qti3', xml);
    expect(again.report.skipped).toBe(0);
    expect(again.questions).toEqual(parsed.questions);
  });

  it('a prompt that is not well-formed XHTML goes out as text, noted in a comment', () => {
    const xml = renderQuestionFile('qti3', [
      {
        type: 'true_false',
        prompt: 'Line one<br>line two',
        points: 1,
        tags: [],
        content: {},
        answerKey: { correct: true },
      },
    ]);
    expect(xml).toContain('Line one&lt;br&gt;line two');
    expect(xml).toMatch(/<!-- Question 1: QTI export leaves out its text is not well-formed XHTML/);
    expect(parseQuestionFile('qti3', xml).questions[0]).toMatchObject({
      type: 'true_false',
      answerKey: { correct: true },
    });
  });
});
