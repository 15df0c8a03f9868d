// The demo seeds act as the demo teacher would: through the same services, with
// input parsed by the same protocol schemas as the HTTP routes use, so demo data
// obeys every rule real data does (bounds, ownership, audit log).
import { eq } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { users } from '../db/schema/index.ts';
import type { Caller } from '../modules/audit/audit.context.ts';
import { createCourseService } from '../modules/courses/courses.service.ts';
import { createExamService } from '../modules/exams/exams.service.ts';
import { createParticipantService } from '../modules/participants/participants.service.ts';
import { createQuestionService } from '../modules/questions/questions.service.ts';
import type { Config } from '../config/config.ts';
import { createAccountLinks } from '../modules/accounts/accounts.links.ts';
import { silentPublisher } from '../modules/hall/hall.events.ts';
import { createUserService } from '../modules/users/users.service.ts';

export function demoServices(db: Db, secret: string) {
  const deps = { db, secret };
  return {
    courses: createCourseService(deps),
    exams: createExamService(deps),
    questions: createQuestionService(deps),
    participants: createParticipantService(deps),
  };
}

/** The admin console's service; links are never mailed from demo data (no sockets to close either). */
export function demoUserService(db: Db, config: Config) {
  const links = createAccountLinks({ db, config, mailer: null });
  return createUserService({ db, secret: config.secret, publish: silentPublisher, links });
}

/** The account as a service caller. There is no session: the audit log shows requestId "demo-seed". */
export async function demoCaller(db: Db, email: string): Promise<Caller> {
  const account = await db.query.users.findFirst({ where: eq(users.email, email) });
  if (!account) throw new Error(`demo account ${email} is missing`);
  return {
    actor: {
      userId: account.id,
      role: account.role,
      sessionId: 'demo-seed',
      sessionExpiresAt: new Date(),
      email: account.email,
      name: account.name,
    },
    ip: '127.0.0.1',
    requestId: 'demo-seed',
  };
}
