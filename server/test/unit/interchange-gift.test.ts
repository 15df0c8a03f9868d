// GIFT: every construct of the hand-written fixture, its report, the export and the round trip.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { QuestionInput } from '@exam-hall/protocol';
import { parseQuestionFile, renderQuestionFile } from '../../src/modules/interchange/interchange.service.ts';

const fixture = readFileSync(new URL('../fixtures/interchange/gift-all.gift', import.meta.url), 'utf8');
const parsed = parseQuestionFile('gift', fixture);
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

describe('GIFT import', () => {
  it('reports every question, the description and the unreadable one', () => {
    expect(parsed.report).toMatchObject({ format: 'gift', imported: 13, skipped: 2 });
    expect(entry('Description')).toMatchObject({ outcome: 'skipped', sourceType: 'description' });
    const broken = parsed.report.entries.at(-1)!;
    expect(broken.outcome).toBe('skipped');
    expect(broken.reason).toMatch(/^GIFT syntax error near line \d+/);
  });

  it('multiple choice with one = answer; answer feedback ignored with a warning; #### general feedback kept', () => {
    const q = of(byName("Grant's tomb"), 'single_choice');
    expect(q.content.options.map((o) => o.text)).toEqual(['Grant', 'No one', 'Napoleon', 'Churchill']);
    expect(q.answerKey.correct).toBe('o1');
    expect(q.explanation).toBe('Ulysses S. Grant and his wife Julia are buried there.');
    expect(entry("Grant's tomb").warnings).toContain('Feedback on answers is ignored');
  });

  it('several right answers by %weight%: positive weights are correct, the weights noted', () => {
    const q = of(byName('Two in the tomb'), 'multiple_choice');
    expect(q.answerKey.correct).toEqual(['o2', 'o3']);
    expect(entry('Two in the tomb').warnings.join()).toMatch(/weights are not kept/);
  });

  it('true/false in its short and long forms', () => {
    expect(of(byName('Sun rises'), 'true_false').answerKey.correct).toBe(true);
    expect(of(byName('Flat earth'), 'true_false').answerKey.correct).toBe(false);
  });

  it('short answer', () => {
    expect(of(byName('Short answer'), 'short_answer').answerKey.accepted).toEqual([
      'Grant',
      'Ulysses S. Grant',
      'Ulysses Grant',
    ]);
  });

  it('missing word: a drop-down gap, or a typed gap', () => {
    const d = of(byName('Missing word dropdown'), 'fill_blanks');
    expect(d.prompt).toBe('Moodle costs [[g1]] to download.');
    expect(d.answerKey.gaps[0]!.accepted).toEqual(['g1o2']);
    const t = of(byName('Missing word typed'), 'fill_blanks');
    expect(t.content.gaps).toEqual([{ id: 'g1' }]);
    expect(t.answerKey.gaps[0]!.accepted).toEqual(['four', '4']);
  });

  it('numeric: value:tolerance, a range mapped to tolerance (reported), several answers with weights', () => {
    expect(of(byName('Grant born'), 'numeric').answerKey.answers).toEqual([{ value: 1822, tolerance: 5, fraction: 1 }]);
    expect(of(byName('Pi'), 'numeric').answerKey.answers).toEqual([{ value: 3.1415, tolerance: 0.0005, fraction: 1 }]);
    expect(entry('Pi').warnings).toContain('GIFT numeric range 3.141..3.142 mapped to 3.1415 ± 0.0005');
    expect(of(byName('Grant born twice'), 'numeric').answerKey.answers).toEqual([
      { value: 1822, tolerance: 0, fraction: 1 },
      { value: 1822, tolerance: 2, fraction: 0.5 },
    ]);
  });

  it('matching and essay', () => {
    const m = of(byName('Matching'), 'matching');
    expect(m.content.stems.map((s) => s.text)).toEqual(['Canada', 'Italy', 'Japan', 'India']);
    expect(m.content.choices.map((c) => c.text)).toEqual(['Ottawa', 'Rome', 'Tokyo', 'New Delhi']);
    expect(of(byName('Essay'), 'essay').answerKey.rubric).toEqual([]);
  });

  it('categories become tags; escaped special characters and [html] are read', () => {
    expect(byName('Matching').tags).toEqual(['History']);
    const e = of(byName('Escaped'), 'single_choice');
    expect(e.tags).toEqual(['Formatting']);
    expect(e.prompt).toBe('<p>Which operator assigns in C: = or ==?</p>');
    expect(e.content.options.map((o) => o.text)).toEqual(['=', '==']);
  });
});

describe('GIFT export', () => {
  it('round trip: import -> export -> import gives the same questions', () => {
    const again = parseQuestionFile('gift', renderQuestionFile('gift', parsed.questions));
    expect(again.report.skipped).toBe(0);
    expect(again.questions).toEqual(parsed.questions);
  });

  it('names what GIFT cannot hold in comments, and leaves out ordering', () => {
    const gift = renderQuestionFile('gift', [
      {
        type: 'ordering',
        prompt: 'Order',
        points: 1,
        tags: [],
        content: {
          items: [
            { id: 'a', text: 'A' },
            { id: 'b', text: 'B' },
          ],
        },
        answerKey: { order: ['a', 'b'] },
      },
      {
        type: 'numeric',
        prompt: 'Speed',
        points: 2,
        tags: [],
        content: { units: [{ unit: 'm', multiplier: 1 }], unitRequired: false },
        answerKey: { answers: [{ value: 3, tolerance: 0, fraction: 1 }] },
      },
    ]);
    expect(gift).toContain('// Question 1 left out: GIFT has no ordering questions.');
    expect(gift).toContain('// Question 2: GIFT cannot hold its units, 2 points.');
    const back = parseQuestionFile('gift', gift);
    expect(back.questions).toHaveLength(1);
    expect(back.questions[0]).toMatchObject({ type: 'numeric', answerKey: { answers: [{ value: 3, tolerance: 0 }] } });
  });
});
