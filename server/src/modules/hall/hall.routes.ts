import { sql } from 'drizzle-orm';
import { hallApi } from '@exam-hall/protocol';
import type { Db } from '../../db/client.ts';
import { exams } from '../../db/schema/index.ts';
import { route } from '../../http/route.ts';
import { watchableExamsFilter } from '../../policy/access.sql.ts';

export function hallRoutes(db: Db) {
  return [
    route(
      hallApi.watchableExams,
      {
        summary: 'Published exams you may proctor, with how many attempts are in progress',
        tags: ['hall'],
        access: ['proctor', 'teacher', 'admin'],
        responses: { 200: { description: 'Exams' } },
      },
      async ({ actor }) => {
        const rows = await db
          .select({
            id: exams.id,
            title: exams.title,
            status: exams.status,
            startsAt: exams.startsAt,
            endsAt: exams.endsAt,
            availableAnytime: exams.availableAnytime,
            // Qualified by hand: inside a select list Drizzle renders ${exams.id} as a bare "id",
            // which the subquery would bind to its own table.
            inProgress: sql<number>`(select count(*) from attempts a where a.exam_id = "exams"."id" and a.status in ('in_progress', 'paused'))::int`,
            participants: sql<number>`(select count(*) from exam_participants p where p.exam_id = "exams"."id")::int`,
          })
          .from(exams)
          .where(watchableExamsFilter(actor))
          .orderBy(sql`${exams.startsAt} desc nulls first`, exams.title)
          .limit(200);
        return {
          exams: rows.map((r) => ({
            ...r,
            startsAt: r.startsAt?.toISOString() ?? null,
            endsAt: r.endsAt?.toISOString() ?? null,
          })),
        };
      },
    ),
  ];
}
