// Exam and course rules through the services: what publishing needs, who may manage a
// course (its teacher, a co-teacher: an active 'teacher' enrolment of a staff account),
// and who may be enrolled as what.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { courseInputSchema, enrollmentAddSchema, examCreateSchema } from '@exam-hall/protocol';
import { enrollments, exams, questions, users } from '../../src/db/schema/index.ts';
import { startServiceWorld, type Person, type ServiceWorld } from '../support/service-world.ts';

let w: ServiceWorld;
let teacher: Person;

beforeAll(async () => {
  w = await startServiceWorld();
  teacher = await w.person('teacher');
});
afterAll(() => w?.close());

const draft = (by: Person, settings: Record<string, unknown> = {}) =>
  w.services.exams.create(
    by.caller,
    examCreateSchema.parse({ title: 'Draft', durationMinutes: 20, availableAnytime: true, ...settings }),
  );

async function addQuestion(examId: string) {
  await w.db.insert(questions).values({
    examId,
    type: 'true_false',
    prompt: 'True?',
    content: {},
    answerKey: { correct: true },
    position: 0,
  });
}

async function examStatus(id: string) {
  const [e] = await w.db.select({ status: exams.status }).from(exams).where(eq(exams.id, id));
  return e!.status;
}

describe('publishing an exam', () => {
  it('needs at least one question', async () => {
    const exam = await draft(teacher);
    await expect(w.services.exams.publish(teacher.caller, exam.id)).rejects.toMatchObject({
      status: 400,
      fields: [{ path: 'questions' }],
    });
    expect(await examStatus(exam.id)).toBe('draft');
    await addQuestion(exam.id);
    expect((await w.services.exams.publish(teacher.caller, exam.id)).status).toBe('published');
    expect(await examStatus(exam.id)).toBe('published');
    // Publishing again answers the exam unchanged.
    expect((await w.services.exams.publish(teacher.caller, exam.id)).status).toBe('published');
  });

  it('is refused once the availability window has ended', async () => {
    const hour = 3_600_000;
    const exam = await draft(teacher, {
      availableAnytime: false,
      startsAt: new Date(Date.now() - 3 * hour).toISOString(),
      endsAt: new Date(Date.now() - hour).toISOString(),
    });
    await addQuestion(exam.id);
    await expect(w.services.exams.publish(teacher.caller, exam.id)).rejects.toMatchObject({
      status: 400,
      fields: [{ path: 'endsAt' }],
    });
    expect(await examStatus(exam.id)).toBe('draft');
  });

  it('is refused for an archived exam, and for anyone but its owner or an admin', async () => {
    const exam = await draft(teacher);
    await addQuestion(exam.id);
    const other = await w.person('teacher');
    await expect(w.services.exams.publish(other.caller, exam.id)).rejects.toMatchObject({ status: 404 });
    await w.services.exams.archive(teacher.caller, exam.id);
    await expect(w.services.exams.publish(teacher.caller, exam.id)).rejects.toMatchObject({ status: 409 });
    expect(await examStatus(exam.id)).toBe('archived');
    const admin = await w.person('admin');
    await expect(w.services.exams.publish(admin.caller, exam.id)).rejects.toMatchObject({ status: 409 });
  });
});

describe('co-teachers and enrolment', () => {
  const enrol = (by: Person, courseId: string, input: Record<string, unknown>) =>
    w.services.courses.enrol(by.caller, courseId, enrollmentAddSchema.parse(input));

  it('a co-teacher needs a staff account; only an active teacher enrolment lets them manage the course', async () => {
    const course = await w.services.courses.create(teacher.caller, courseInputSchema.parse({ name: 'Physics' }));
    const colleague = await w.person('teacher');
    const student = await w.person('student');
    // Not yet enrolled: the course does not exist for them.
    await expect(w.services.courses.get(colleague.actor, course.id)).rejects.toMatchObject({ status: 404 });
    // A student account cannot co-teach; an unknown address gets no account made for it.
    await expect(enrol(teacher, course.id, { email: student.email, role: 'teacher' })).rejects.toMatchObject({
      status: 400,
    });
    const stranger = 'nobody-staff@service.example';
    await expect(enrol(teacher, course.id, { email: stranger, role: 'teacher' })).rejects.toMatchObject({
      status: 400,
    });
    expect(await w.db.select().from(users).where(eq(users.email, stranger))).toHaveLength(0);

    const added = await enrol(teacher, course.id, { email: colleague.email, role: 'teacher' });
    expect(added.outcome).toBe('added');
    expect((await w.services.courses.get(colleague.actor, course.id)).id).toBe(course.id);
    // A proctor enrolment (added by the co-teacher) watches halls but does not manage the course.
    const proctor = await w.person('proctor');
    await enrol(colleague, course.id, { email: proctor.email, role: 'proctor' });
    await expect(w.services.courses.get(proctor.actor, course.id)).rejects.toMatchObject({ status: 403 });

    await w.services.courses.drop(teacher.caller, course.id, colleague.id);
    await expect(w.services.courses.get(colleague.actor, course.id)).rejects.toMatchObject({ status: 404 });
    const [row] = await w.db
      .select()
      .from(enrollments)
      .where(and(eq(enrollments.courseId, course.id), eq(enrollments.userId, colleague.id)));
    expect(row!.status).toBe('dropped');
  });

  it("students must match the course's email domains; an archived course's roster is frozen", async () => {
    const course = await w.services.courses.create(
      teacher.caller,
      courseInputSchema.parse({ name: 'Chemistry', allowedEmailDomains: ['school.example'] }),
    );
    await expect(enrol(teacher, course.id, { email: 'ana@elsewhere.example', role: 'student' })).rejects.toMatchObject({
      status: 400,
      fields: [{ path: 'body.email' }],
    });
    const ok = await enrol(teacher, course.id, { email: 'ana@school.example', role: 'student' });
    expect(ok).toMatchObject({ outcome: 'added', newAccount: true });
    await w.services.courses.setActive(teacher.caller, course.id, false);
    await expect(enrol(teacher, course.id, { email: 'bo@school.example', role: 'student' })).rejects.toMatchObject({
      status: 409,
    });
    expect(await w.db.select().from(enrollments).where(eq(enrollments.courseId, course.id))).toHaveLength(1);
  });
});
