import { banksApi, sectionsApi } from '@exam-hall/protocol';
import { route } from '../../http/route.ts';
import type { BankService } from './banks.service.ts';
import type { SectionService } from './sections.service.ts';

const access = ['teacher', 'admin'] as const;
const invalid = { description: 'Invalid fields, each named in error.fields' };
const noCourse = { description: 'No such course of yours' };
const noBank = { description: 'No such question bank (or question) of yours' };
const noExam = { description: 'No such exam (or section) of yours' };

export function bankRoutes(banks: BankService) {
  const tags = ['banks'];
  return [
    route(
      banksApi.list,
      {
        summary: "The course's question banks",
        tags,
        access,
        responses: { 200: { description: 'Banks' }, 404: noCourse },
      },
      async ({ actor, params }) => ({ banks: await banks.list(actor, params.courseId) }),
    ),
    route(
      banksApi.create,
      {
        summary: 'Create a question bank in the course',
        tags,
        access,
        responses: { 201: { description: 'Created' }, 400: invalid, 404: noCourse },
      },
      async ({ caller, params, body, res }) => {
        const created = await banks.create(caller, params.courseId, body);
        res.status(201);
        return created;
      },
    ),
    route(
      banksApi.get,
      { summary: 'One question bank', tags, access, responses: { 200: { description: 'Bank' }, 404: noBank } },
      async ({ actor, params }) => banks.get(actor, params.bankId),
    ),
    route(
      banksApi.update,
      {
        summary: 'Rename a bank or change its description',
        tags,
        access,
        responses: { 200: { description: 'Updated' }, 400: invalid, 404: noBank },
      },
      async ({ caller, params, body }) => banks.update(caller, params.bankId, body),
    ),
    route(
      banksApi.remove,
      {
        summary: 'Delete a bank (kept for the attempts that drew from it); refused while exams take from it',
        tags,
        access,
        responses: { 204: { description: 'Deleted' }, 404: noBank, 409: { description: 'Exams still use it' } },
      },
      async ({ caller, params }) => banks.remove(caller, params.bankId),
    ),
    route(
      banksApi.stats,
      {
        summary: 'Per bank question: attempts that got it, answered, mean score, correct rate, per exam',
        tags,
        access,
        responses: { 200: { description: 'Statistics' }, 404: noBank },
      },
      async ({ actor, params }) => banks.stats(actor, params.bankId),
    ),
    route(
      banksApi.questions,
      {
        summary: "The bank's questions in position order, answer keys included",
        tags,
        access,
        responses: { 200: { description: 'Questions' }, 404: noBank },
      },
      async ({ actor, params }) => ({ questions: await banks.questions(actor, params.bankId) }),
    ),
    route(
      banksApi.addQuestion,
      {
        summary: 'Add a question at the end of the bank',
        tags,
        access,
        responses: {
          201: { description: 'Created' },
          400: invalid,
          404: noBank,
          409: { description: 'The bank is full' },
        },
      },
      async ({ caller, params, body, res }) => {
        const [created] = await banks.addQuestions(caller, params.bankId, [body]);
        res.status(201);
        return created!;
      },
    ),
    route(
      banksApi.reorderQuestions,
      {
        summary: 'Set the order: list every question of the bank exactly once',
        tags,
        access,
        responses: { 200: { description: 'Questions in the new order' }, 400: invalid, 404: noBank },
      },
      async ({ caller, params, body }) => ({
        questions: await banks.reorderQuestions(caller, params.bankId, body.questionIds),
      }),
    ),
    route(
      banksApi.updateQuestion,
      {
        summary: 'Replace a bank question (every field); refused once an attempt drew it',
        tags,
        access,
        responses: {
          200: { description: 'Updated' },
          400: invalid,
          404: noBank,
          409: { description: 'Drawn by attempts, or a section would lose questions it needs' },
        },
      },
      async ({ caller, params, body }) => banks.updateQuestion(caller, params.bankId, params.questionId, body),
    ),
    route(
      banksApi.removeQuestion,
      {
        summary: 'Delete a bank question; refused once an attempt drew it or a section needs it',
        tags,
        access,
        responses: {
          204: { description: 'Deleted' },
          404: noBank,
          409: { description: 'Drawn by attempts, or a section would lose questions it needs' },
        },
      },
      async ({ caller, params }) => banks.removeQuestion(caller, params.bankId, params.questionId),
    ),
  ];
}

// Fixed paths (reorder) come before /:sectionId.
export function sectionRoutes(sections: SectionService) {
  const tags = ['sections'];
  const locked = { description: 'The exam is archived or already has attempts, or too few bank questions match' };
  return [
    route(
      sectionsApi.list,
      {
        summary: "The exam's sections (questions taken from banks) in order",
        tags,
        access,
        responses: { 200: { description: 'Sections' }, 404: noExam },
      },
      async ({ actor, params }) => ({ sections: await sections.list(actor, params.examId) }),
    ),
    route(
      sectionsApi.create,
      {
        summary: 'Add a section: fixed bank questions, or N drawn at random per attempt from a bank',
        tags,
        access,
        responses: { 201: { description: 'Created' }, 400: invalid, 404: noExam, 409: locked },
      },
      async ({ caller, params, body, res }) => {
        const created = await sections.create(caller, params.examId, body);
        res.status(201);
        return created;
      },
    ),
    route(
      sectionsApi.reorder,
      {
        summary: 'Set the order of the sections: list each exactly once',
        tags,
        access,
        responses: { 200: { description: 'Sections in the new order' }, 400: invalid, 404: noExam, 409: locked },
      },
      async ({ caller, params, body }) => ({
        sections: await sections.reorder(caller, params.examId, body.sectionIds),
      }),
    ),
    route(
      sectionsApi.update,
      {
        summary: 'Replace a section (every field; the kind may change)',
        tags,
        access,
        responses: { 200: { description: 'Updated' }, 400: invalid, 404: noExam, 409: locked },
      },
      async ({ caller, params, body }) => sections.update(caller, params.examId, params.sectionId, body),
    ),
    route(
      sectionsApi.remove,
      {
        summary: 'Delete a section',
        tags,
        access,
        responses: { 204: { description: 'Deleted' }, 404: noExam, 409: locked },
      },
      async ({ caller, params }) => sections.remove(caller, params.examId, params.sectionId),
    ),
  ];
}
