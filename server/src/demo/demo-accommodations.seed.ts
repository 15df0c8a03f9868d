// Demo accommodations: students of the demo exam with extra time, through the same service
// and schema the participants page uses, as the demo teacher would. A participant whose
// accommodation was ever set (by this seed or by hand) is left as it is, so loading the
// demo again changes nothing and records nothing.
import { and, eq, inArray } from 'drizzle-orm';
import { accommodationInputSchema, type AccommodationInput } from '@exam-hall/protocol';
import type { Db } from '../db/client.ts';
import { examParticipants } from '../db/schema/index.ts';
import { silentPublisher } from '../modules/hall/hall.events.ts';
import { createAccommodationService } from '../modules/participants/participants.accommodations.ts';
import { demoCaller } from './demo-services.ts';

/** Who gets what in the demo exam: the signed-in demo student and the first of the class. */
export function demoAccommodations(signedInStudentEmail?: string): { email: string; input: AccommodationInput }[] {
  return [
    ...(signedInStudentEmail ? [{ email: signedInStudentEmail, input: { extraTimePercent: 25 } }] : []),
    { email: 'student01@demo.examhall.test', input: { extraTimePercent: 25, extraTimeMinutes: 5, extraAttempts: 1 } },
  ];
}

export async function seedDemoAccommodations(
  db: Db,
  secret: string,
  teacherEmail: string,
  examId: string,
  signedInStudentEmail?: string,
): Promise<{ set: number }> {
  const caller = await demoCaller(db, teacherEmail);
  // No sockets and no queue while seeding: nobody is taking the exam yet.
  const service = createAccommodationService({
    db,
    secret,
    publish: silentPublisher,
    expiry: { schedule: async () => {} },
  });
  const wanted = demoAccommodations(signedInStudentEmail);
  const rows = await db
    .select({
      id: examParticipants.id,
      email: examParticipants.email,
      touched: examParticipants.accommodationUpdatedAt,
    })
    .from(examParticipants)
    .where(
      and(
        eq(examParticipants.examId, examId),
        inArray(
          examParticipants.email,
          wanted.map((w) => w.email),
        ),
      ),
    );
  let set = 0;
  for (const w of wanted) {
    const row = rows.find((r) => r.email === w.email);
    if (!row || row.touched) continue;
    await service.set(caller, examId, row.id, accommodationInputSchema.parse(w.input));
    set++;
  }
  return { set };
}
