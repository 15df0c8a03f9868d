import { z } from 'zod';
import { courseInputSchema, courseSchema, idParamsSchema } from '@exam-hall/protocol';
import { route } from '../../http/route.ts';
import type { CourseService } from './courses.service.ts';

const tags = ['courses'];
const access = ['teacher', 'admin'] as const;

export function courseRoutes(courses: CourseService) {
  return [
    route(
      {
        method: 'get',
        path: '/api/courses',
        summary: 'Your courses (all courses for admins)',
        tags,
        access,
        responses: { 200: { description: 'Courses', schema: z.object({ courses: z.array(courseSchema) }) } },
      },
      async ({ actor }) => ({ courses: await courses.list(actor) }),
    ),
    route(
      {
        method: 'post',
        path: '/api/courses',
        summary: 'Create a course you teach',
        tags,
        access,
        body: courseInputSchema,
        responses: { 201: { description: 'Created', schema: courseSchema }, 400: { description: 'Invalid fields' } },
      },
      async ({ caller, body, res }) => {
        res.status(201);
        return courses.create(caller, body);
      },
    ),
    route(
      {
        method: 'get',
        path: '/api/courses/:id',
        summary: 'One course',
        tags,
        access,
        params: idParamsSchema,
        responses: {
          200: { description: 'Course', schema: courseSchema },
          404: { description: 'Not yours or missing' },
        },
      },
      async ({ actor, params }) => courses.get(actor, params.id),
    ),
    route(
      {
        method: 'put',
        path: '/api/courses/:id',
        summary: 'Change a course (name, description, allowed email domains, ...)',
        tags,
        access,
        params: idParamsSchema,
        body: courseInputSchema,
        responses: {
          200: { description: 'Updated', schema: courseSchema },
          404: { description: 'Not yours or missing' },
        },
      },
      async ({ caller, params, body }) => courses.update(caller, params.id, body),
    ),
  ];
}
