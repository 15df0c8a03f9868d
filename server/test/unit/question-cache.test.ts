// The join's question cache (attempts.question-cache.ts) with a counting loader in place of
// PostgreSQL: served from memory while the version matches, reloaded when it does not,
// concurrent misses share one load, bounded in exams, student views built once per order.
import { describe, expect, it } from 'vitest';
import {
  createQuestionCache,
  MAX_EXAMS,
  versionOf,
  type CachedQuestion,
} from '../../src/modules/attempts/attempts.question-cache.ts';

const options = { options: ['a', 'b', 'c'].map((id) => ({ id, text: id.toUpperCase() })) };
function question(id: string, examId: string | null, v: string, prompt = `Prompt ${id}`): CachedQuestion {
  return {
    id,
    examId,
    bankId: examId ? null : 'bank',
    type: 'single_choice',
    prompt,
    content: options,
    answerKey: { correct: 'a' },
    points: 1,
    v,
  } as unknown as CachedQuestion;
}

/** A loader over a mutable table of rows, counting its calls. */
function table(rows: CachedQuestion[]) {
  const calls: string[] = [];
  const load = async (examId: string, ids: readonly string[]) => {
    calls.push(examId);
    await Promise.resolve();
    return rows.filter((r) => r.examId === examId || ids.includes(r.id));
  };
  return { rows, calls, load };
}

describe('question cache', () => {
  it('loads once, then serves while the version matches and reloads when it moves', async () => {
    const t = table([question('q1', 'e1', '100'), question('q2', 'e1', '200')]);
    const cache = createQuestionCache(t.load);
    const order = ['q2', 'q1'];
    const first = await cache.forAttempt('e1', order, versionOf(t.rows));
    expect([...first.keys()].sort()).toEqual(['q1', 'q2']);
    await cache.forAttempt('e1', order, versionOf(t.rows));
    expect(t.calls).toHaveLength(1);

    // A change in PostgreSQL moves the version joinStates reads: the next join reloads.
    t.rows[0] = question('q1', 'e1', '300', 'Changed');
    const after = await cache.forAttempt('e1', order, versionOf(t.rows));
    expect(t.calls).toHaveLength(2);
    expect(after.get('q1')!.row.prompt).toBe('Changed');
    // A change stamped with the same time as the newest row still moves the version (a sum, not a max).
    t.rows[1] = question('q2', 'e1', '300', 'Also changed');
    const same = await cache.forAttempt('e1', order, versionOf(t.rows));
    expect(t.calls).toHaveLength(3);
    expect(same.get('q2')!.row.prompt).toBe('Also changed');
    // A deleted question is gone from what the attempt holds.
    t.rows.pop();
    const fewer = await cache.forAttempt('e1', order, versionOf(t.rows));
    expect([...fewer.keys()]).toEqual(['q1']);
  });

  it('holds bank questions per attempt: another draw is loaded, not guessed', async () => {
    const t = table([question('own', 'e1', '1'), question('b1', null, '2'), question('b2', null, '3')]);
    const cache = createQuestionCache(t.load);
    const held = (order: string[]) => t.rows.filter((r) => r.examId === 'e1' || order.includes(r.id));
    const one = await cache.forAttempt('e1', ['own', 'b1'], versionOf(held(['own', 'b1'])));
    expect([...one.keys()].sort()).toEqual(['b1', 'own']);
    const two = await cache.forAttempt('e1', ['own', 'b2'], versionOf(held(['own', 'b2'])));
    expect([...two.keys()].sort()).toEqual(['b2', 'own']);
    expect(t.calls).toHaveLength(2);
    await cache.forAttempt('e1', ['b1', 'own'], versionOf(held(['own', 'b1'])));
    expect(t.calls).toHaveLength(2);
  });

  it('shares one load among concurrent misses for the same rows', async () => {
    const t = table([question('q1', 'e1', '1')]);
    const cache = createQuestionCache(t.load);
    const all = await Promise.all(Array.from({ length: 50 }, () => cache.forAttempt('e1', ['q1'], '1-1')));
    expect(t.calls).toHaveLength(1);
    expect(all.every((m) => m.get('q1')!.row.id === 'q1')).toBe(true);
  });

  it('keeps at most MAX_EXAMS exams, dropping the least recently used', async () => {
    const rows = Array.from({ length: MAX_EXAMS + 10 }, (_, i) => question(`q${i}`, `e${i}`, '1'));
    const t = table(rows);
    const cache = createQuestionCache(t.load);
    for (const r of rows) await cache.forAttempt(r.examId!, [r.id], '1-1');
    expect(cache.size).toBe(MAX_EXAMS);
    // The first exams were dropped: asking again loads them.
    await cache.forAttempt('e0', ['q0'], '1-1');
    expect(t.calls).toHaveLength(MAX_EXAMS + 11);
  });

  it('builds a student view once per option order, without the answer key', async () => {
    const t = table([question('q1', 'e1', '1')]);
    const cache = createQuestionCache(t.load);
    const e = (await cache.forAttempt('e1', ['q1'], '1-1')).get('q1')!;
    const cab = cache.studentView(e, ['c', 'a', 'b']);
    expect(cache.studentView(e, ['c', 'a', 'b'])).toBe(cab);
    expect((cab.content as { options: { id: string }[] }).options.map((o) => o.id)).toEqual(['c', 'a', 'b']);
    expect(cache.studentView(e, ['b', 'c', 'a'])).not.toBe(cab);
    expect(JSON.stringify(cab)).not.toContain('correct');
  });
});
