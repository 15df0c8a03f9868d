// How each bank question did, across every exam that drew it: attempts that got it (begun
// or further: a lobby has not seen it), how many answered it, the mean score as a fraction
// of what it was worth there (a hand mark wins over the automatic one), and the share of
// fully correct answers among graded ones. Per exam, and summed over exams.
import type { BankQuestionStats } from '@exam-hall/protocol';
import { sql } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import { questions } from '../../db/schema/index.ts';
import { listQuestions } from '../questions/questions.repository.ts';

interface Usage {
  attempts: number;
  answered: number;
  scored: number;
  scoreSum: number;
  judged: number;
  correct: number;
}

type Row = {
  question_id: string;
  exam_id: string;
  exam_title: string;
  attempts: number;
  answered: number;
  scored: number;
  score_sum: string | null;
  judged: number;
  correct: number;
};

const round = (n: number) => Math.round(n * 10000) / 10000;

function usageOut(u: Usage) {
  return {
    attempts: u.attempts,
    answered: u.answered,
    meanScore: u.scored ? round(u.scoreSum / u.scored) : null,
    correctRate: u.judged ? round(u.correct / u.judged) : null,
  };
}

export async function bankStatistics(db: Db, bankId: string): Promise<BankQuestionStats[]> {
  const res = await db.execute<Row>(sql`
    select q.id as question_id, a.exam_id, e.title as exam_title,
      count(*)::int as attempts,
      (count(an.id) filter (where an.response is not null and an.response <> 'null'::jsonb))::int as answered,
      (count(*) filter (where coalesce(an.manual_points, an.points_awarded) is not null))::int as scored,
      -- FILTER, not a bare least(): least(1, NULL) is 1, so attempts that drew the question
      -- without an answer row would each count as full marks.
      sum(least(1, coalesce(an.manual_points, an.points_awarded)
          / nullif((a.drawn_questions -> (q.id::text) ->> 'points')::numeric, 0)))
        filter (where coalesce(an.manual_points, an.points_awarded) is not null) as score_sum,
      (count(*) filter (where an.is_correct is not null))::int as judged,
      (count(*) filter (where an.is_correct))::int as correct
    from ${questions} q
    join attempts a on a.drawn_questions ? (q.id::text) and a.status <> 'not_started'
    join exams e on e.id = a.exam_id
    left join answers an on an.attempt_id = a.id and an.question_id = q.id
    where q.bank_id = ${bankId}
    group by q.id, a.exam_id, e.title
    order by e.title`);
  const byQuestion = new Map<string, Row[]>();
  for (const r of res.rows) byQuestion.set(r.question_id, [...(byQuestion.get(r.question_id) ?? []), r]);

  return (await listQuestions(db, { bankId })).map((q) => {
    const rows = byQuestion.get(q.id) ?? [];
    const total: Usage = { attempts: 0, answered: 0, scored: 0, scoreSum: 0, judged: 0, correct: 0 };
    const exams = rows.map((r) => {
      const u: Usage = {
        attempts: r.attempts,
        answered: r.answered,
        scored: r.scored,
        scoreSum: Number(r.score_sum ?? 0),
        judged: r.judged,
        correct: r.correct,
      };
      for (const k of Object.keys(total) as (keyof Usage)[]) total[k] += u[k];
      return { examId: r.exam_id, examTitle: r.exam_title, ...usageOut(u) };
    });
    return {
      questionId: q.id,
      type: q.type,
      prompt: q.prompt,
      tags: q.tags,
      difficulty: q.difficulty,
      ...usageOut(total),
      exams,
    };
  });
}
