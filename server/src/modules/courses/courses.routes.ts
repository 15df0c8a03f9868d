import express, { type Request, type Response } from 'express';
import { coursesApi } from '@exam-hall/protocol';
import { badRequest } from '../../http/errors.ts';
import { route } from '../../http/route.ts';
import type { CourseService } from './courses.service.ts';

const tags = ['courses'];
const access = ['teacher', 'admin'] as const;
const notYours = { description: 'No such course of yours (its teacher, a co-teacher or an admin)' };
const archived = { description: 'The course is archived' };

// The roster import body is the CSV file itself, up to 1 MB (5,000 rows of long addresses fit).
const readText = express.text({ type: ['text/csv', 'text/plain', 'application/csv'], limit: '1mb' });
function readCsvBody(req: Request, res: Response): Promise<string> {
  return new Promise((resolve, reject) => {
    readText(req, res, (err?: unknown) => {
      if (err) return reject(err);
      if (typeof req.body !== 'string') {
        return reject(
          badRequest('Send the CSV file itself as the request body, with Content-Type: text/csv.', [
            { path: 'body', message: 'must be CSV text (Content-Type: text/csv)' },
          ]),
        );
      }
      resolve(req.body);
    });
  });
}

export function courseRoutes(courses: CourseService) {
  return [
    route(
      coursesApi.list,
      {
        summary:
          'Courses you teach or co-teach (all courses for admins); active ones unless status=archived or status=all',
        tags,
        access,
        responses: { 200: { description: 'Courses' } },
      },
      async ({ actor, query }) => ({ courses: await courses.list(actor, query) }),
    ),
    route(
      coursesApi.create,
      {
        summary: 'Create a course you teach',
        tags,
        access,
        responses: { 201: { description: 'Created' }, 400: { description: 'Invalid fields' } },
      },
      async ({ caller, body, res }) => {
        res.status(201);
        return courses.create(caller, body);
      },
    ),
    route(
      coursesApi.get,
      {
        summary: 'One course',
        tags,
        access,
        responses: { 200: { description: 'Course' }, 404: { description: 'Not yours or missing' } },
      },
      async ({ actor, params }) => courses.get(actor, params.id),
    ),
    route(
      coursesApi.update,
      {
        summary: 'Change a course (name, description, allowed email domains, ...)',
        tags,
        access,
        responses: { 200: { description: 'Updated' }, 404: notYours, 409: archived },
      },
      async ({ caller, params, body }) => courses.update(caller, params.id, body),
    ),
    route(
      coursesApi.archive,
      {
        summary:
          'Archive a course: hidden from default lists, details and roster frozen; its exams, halls and results keep working',
        tags,
        access,
        responses: { 200: { description: 'The course, archived' }, 404: notYours },
      },
      async ({ caller, params }) => courses.setActive(caller, params.id, false),
    ),
    route(
      coursesApi.unarchive,
      {
        summary: 'Bring an archived course back',
        tags,
        access,
        responses: { 200: { description: 'The course, active' }, 404: notYours },
      },
      async ({ caller, params }) => courses.setActive(caller, params.id, true),
    ),
    route(
      coursesApi.enrollments,
      {
        summary: 'The roster: enrolments by role, status and search, a page at a time, with active counts per role',
        tags,
        access,
        responses: { 200: { description: 'One page of the roster' }, 404: notYours },
      },
      async ({ actor, params, query }) => courses.roster(actor, params.id, query),
    ),
    route(
      coursesApi.enrol,
      {
        summary:
          'Enrol one person by email as student, teacher (co-teacher) or proctor. Unknown students get an invited account; co-teachers and proctors must already have a staff account. A dropped person is re-enrolled; an active one changes role.',
        tags,
        access,
        responses: {
          200: { description: 'Enrolled' },
          400: { description: 'Domain not allowed, no such staff account, or the account role does not fit' },
          404: notYours,
          409: { description: 'Already enrolled with this role, or the course is archived' },
        },
      },
      async ({ caller, params, body }) => courses.enrol(caller, params.id, body),
    ),
    route(
      coursesApi.importEnrollments,
      {
        summary:
          'Import a roster from a CSV file sent as the body (Content-Type: text/csv, at most 1 MB): a header row with "email" and optionally "name" and "role" (student, teacher or proctor; default student), then up to 5,000 rows. Every row gets an outcome; bad rows never block good ones.',
        tags,
        access,
        responses: {
          200: { description: 'Outcome of every row' },
          400: {
            description: 'Not a readable CSV, no email column, no rows, or more than 5,000 rows (nothing changes)',
          },
          404: notYours,
          409: archived,
          413: { description: 'Body over 1 MB' },
        },
      },
      async ({ caller, params, req, res }) => courses.importCsv(caller, params.id, await readCsvBody(req, res)),
    ),
    route(
      coursesApi.unenrol,
      {
        summary: 'Drop someone from the course (the enrolment is kept as dropped; enrolling them again reactivates it)',
        tags,
        access,
        responses: {
          204: { description: 'Dropped' },
          404: { description: 'No such course of yours, or no active enrolment of this user' },
          409: archived,
        },
      },
      async ({ caller, params }) => {
        await courses.drop(caller, params.id, params.userId);
        return undefined;
      },
    ),
    route(
      coursesApi.examProctors,
      {
        summary:
          "Who may proctor an exam: its author, the course's teachers and enrolled proctors (emails only for those who manage the exam)",
        tags,
        access: ['teacher', 'admin', 'proctor'],
        responses: {
          200: { description: 'Who may proctor' },
          404: { description: 'No such exam whose hall you may watch' },
        },
      },
      async ({ actor, params }) => courses.proctorsOf(actor, params.examId),
    ),
  ];
}
