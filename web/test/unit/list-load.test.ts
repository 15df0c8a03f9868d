import { describe, expect, it } from 'vitest';
import { EXAM_DEFAULTS, examSchema, participantListSchema, participantSchema } from '@exam-hall/protocol';
import { ApiRequestError, apiList, describeListProblems, parseItems } from '../../src/lib/api.ts';

const exam = (over: Record<string, unknown>) => ({
  ...EXAM_DEFAULTS,
  id: crypto.randomUUID(),
  createdBy: crypto.randomUUID(),
  courseId: null,
  title: 'An exam',
  description: null,
  instructions: null,
  durationMinutes: 30,
  startsAt: null,
  endsAt: null,
  status: 'published',
  publishedAt: '2026-12-01T09:00:00.000Z',
  questionCount: 12,
  totalPoints: 16,
  createdAt: '2026-12-01T09:00:00.000Z',
  updatedAt: '2026-12-01T09:00:00.000Z',
  ...over,
});

/** A fetch that answers one JSON body, as the API would (the network is not what is under test here). */
const answering = (body: unknown) => (async () => Response.json(body)) as unknown as typeof fetch;

describe('parseItems: one bad record costs that record, not the page', () => {
  it('keeps the records that parse and names the one out of bounds', () => {
    const list = [
      exam({ title: 'Chemistry basics' }),
      exam({ title: 'Live hall demo', maxAttempts: 1000 }),
      exam({ title: 'Lab safety' }),
    ];
    const { items, problems } = parseItems(list, examSchema);
    expect(items.map((e) => e.title)).toEqual(['Chemistry basics', 'Lab safety']);
    expect(problems).toEqual([
      { index: 1, label: "'Live hall demo'", reasons: ['maxAttempts: Attempt limit must be at most 100'] },
    ]);
    expect(describeListProblems(problems, 'exam')).toBe(
      "1 exam could not be shown: 'Live hall demo' (maxAttempts: Attempt limit must be at most 100).",
    );
  });

  it('names a record without a title by its place, and counts in the plural', () => {
    const { problems } = parseItems([{ nothing: true }, exam({ title: 'Fine' }), 'text'], examSchema);
    expect(problems.map((p) => p.label)).toEqual(['#1', '#3']);
    expect(describeListProblems(problems, 'exam')).toMatch(/^2 exams could not be shown: #1 \(/);
    expect(describeListProblems([], 'exam')).toBe('');
  });

  it('still refuses an answer that is not a list at all', () => {
    expect(() => parseItems({ exams: [] }, examSchema)).toThrow(ApiRequestError);
  });
});

describe('apiList', () => {
  it('reads the list under its key and the rest of the envelope', async () => {
    const good = {
      id: crypto.randomUUID(),
      userId: crypto.randomUUID(),
      email: 'ana@example.test',
      name: 'Ana',
      userStatus: 'invited',
      codeStatus: 'unused',
      codeHint: '9PWD',
      codeIssuedAt: '2026-12-01T09:00:00.000Z',
      codeUsedAt: null,
      addedAt: '2026-12-01T09:00:00.000Z',
      attemptCount: 0,
      latestAttempt: null,
    };
    const body = { participants: [good, { ...good, id: crypto.randomUUID(), email: 42 }], total: 2 };
    const out = await apiList('/api/x', {
      fetch: answering(body),
      key: 'participants',
      item: participantSchema,
      envelope: participantListSchema,
    });
    expect(out.envelope.total).toBe(2);
    expect(out.items.map((p) => p.email)).toEqual(['ana@example.test']);
    expect(out.problems).toEqual([{ index: 1, label: "'Ana'", reasons: [expect.stringMatching(/^email: /)] }]);
  });

  it('answers invalid_response when the envelope itself is wrong', async () => {
    await expect(
      apiList('/api/x', { fetch: answering({ total: 'many' }), key: 'participants', item: participantSchema }),
    ).rejects.toMatchObject({ code: 'invalid_response' });
  });
});
