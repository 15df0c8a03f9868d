// After the load: every save the server acknowledged must be in PostgreSQL. Per
// (attempt, question) the stored seq must be at least the highest seq acknowledged
// (the server drops older ones), at most the highest sent, and the stored response
// must be the one that seq carried. Per attempt, the seq a rejoining page continues from
// (the highest stored seq, the join snapshot's lastSeq) likewise.
import pg from 'pg';
import { saveContent, type FinalReport } from './messages.ts';

export interface Verification {
  pairsChecked: number;
  ackedSaves: number;
  /** Acknowledged, but the stored seq is older or the row is missing. */
  lost: number;
  /** More than one answers row for one (attempt, question). */
  duplicated: number;
  /** Stored seq newer than the last ack: the save landed but its ack never came back (timeout). */
  storedWithoutAck: number;
  /** Stored seq the client never sent. */
  phantom: number;
  /** Stored response or flag differs from what that seq carried. */
  mismatched: number;
  lastSeqBehind: number;
  lastSeqAhead: number;
  examples: string[];
}

export async function verifyAgainstDatabase(
  url: string,
  examId: string,
  questionIds: string[],
  students: FinalReport['students'],
  ackedSaves: number,
): Promise<Verification> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const dup = await c.query<{ n: string }>(
      `select count(*) as n from (select 1 from answers an join attempts a on a.id = an.attempt_id
         where a.exam_id = $1 group by an.attempt_id, an.question_id having count(*) > 1) d`,
      [examId],
    );
    const rows = await c.query<{
      attempt_id: string;
      question_id: string;
      seq: string;
      option: string;
      flagged: boolean;
    }>(
      `select an.attempt_id, an.question_id, an.seq, an.response->>'optionId' as option, an.flagged
         from answers an join attempts a on a.id = an.attempt_id where a.exam_id = $1`,
      [examId],
    );
    const lastSeqs = await c.query<{ id: string; last_seq: string }>(
      `select a.id, coalesce(max(an.seq), 0) as last_seq
         from attempts a left join answers an on an.attempt_id = a.id where a.exam_id = $1 group by a.id`,
      [examId],
    );
    const stored = new Map(rows.rows.map((r) => [`${r.attempt_id}:${r.question_id}`, r]));
    const lastSeq = new Map(lastSeqs.rows.map((r) => [r.id, Number(r.last_seq)]));
    const v: Verification = {
      ...{ pairsChecked: 0, ackedSaves, lost: 0, duplicated: Number(dup.rows[0]!.n), storedWithoutAck: 0 },
      ...{ phantom: 0, mismatched: 0, lastSeqBehind: 0, lastSeqAhead: 0, examples: [] },
    };
    const example = (s: string) => void (v.examples.length < 10 && v.examples.push(s));
    for (const s of students) {
      questionIds.forEach((qid, q) => {
        const acked = s.acked[q] ?? 0;
        const sent = s.sent[q] ?? 0;
        if (!sent) return;
        v.pairsChecked++;
        const row = stored.get(`${s.attemptId}:${qid}`);
        const seq = row ? Number(row.seq) : 0;
        if (acked > seq) {
          v.lost++;
          example(`lost: attempt ${s.attemptId} q${q} acked seq ${acked}, stored ${row ? seq : 'nothing'}`);
        } else if (seq > sent) {
          v.phantom++;
          example(`phantom: attempt ${s.attemptId} q${q} stored seq ${seq} > last sent ${sent}`);
        } else if (seq > acked) v.storedWithoutAck++;
        if (row) {
          const want = saveContent(seq, questionIds.length);
          if (row.option !== want.option || row.flagged !== want.flagged) {
            v.mismatched++;
            example(`mismatch: attempt ${s.attemptId} q${q} seq ${seq} stored ${row.option}/${row.flagged}`);
          }
        }
      });
      const maxAcked = Math.max(0, ...s.acked);
      const maxSent = Math.max(0, ...s.sent);
      const last = lastSeq.get(s.attemptId) ?? 0;
      if (last < maxAcked) {
        v.lastSeqBehind++;
        example(`last_seq behind: attempt ${s.attemptId} last_seq ${last} < acked ${maxAcked}`);
      }
      if (last > maxSent) v.lastSeqAhead++;
    }
    return v;
  } finally {
    await c.end();
  }
}

export async function storedSignals(url: string, examId: string): Promise<number> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const r = await c.query<{ n: string }>(
      `select count(*) as n from proctoring_events where exam_id = $1 and type = 'tab_hidden'`,
      [examId],
    );
    return Number(r.rows[0]!.n);
  } finally {
    await c.end();
  }
}
