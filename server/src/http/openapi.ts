import { createDocument, type ZodOpenApiPathsObject } from 'zod-openapi';
import { apiErrorSchema } from '@exam-hall/protocol';
import type { DeclaredRoute } from './route.ts';

const toOpenApiPath = (path: string) => path.replace(/:([A-Za-z0-9_]+)/g, '{$1}');

/** The OpenAPI document, generated from the same zod schemas that validate requests. */
export function buildOpenApi(routes: DeclaredRoute[], version: string) {
  const paths: ZodOpenApiPathsObject = {};
  for (const { spec } of routes) {
    const path = toOpenApiPath(spec.path);
    const responses = Object.fromEntries(
      Object.entries(spec.responses).map(([status, r]) => [
        status,
        {
          description: r.description,
          ...(r.schema
            ? { content: { 'application/json': { schema: r.schema } } }
            : Number(status) >= 400
              ? { content: { 'application/json': { schema: apiErrorSchema } } }
              : {}),
        },
      ]),
    );
    paths[path] = {
      ...paths[path],
      [spec.method]: {
        summary: spec.summary,
        tags: spec.tags,
        ...(spec.access === 'public' ? { security: [] } : {}),
        ...(spec.access !== 'public' && spec.access !== 'signed-in'
          ? { description: `Roles: ${spec.access.join(', ')}` }
          : {}),
        // Who may call it, machine-readable: 'public', 'signed-in' or the list of roles (the RBAC suite reads it).
        'x-access': spec.access,
        ...(spec.params || spec.query
          ? {
              requestParams: {
                ...(spec.params ? { path: spec.params } : {}),
                ...(spec.query ? { query: spec.query } : {}),
              },
            }
          : {}),
        ...(spec.body ? { requestBody: { content: { 'application/json': { schema: spec.body } } } } : {}),
        responses,
      },
    };
  }
  return createDocument({
    openapi: '3.1.0',
    info: {
      title: 'Exam Hall API',
      version,
      description:
        'Every error answers `{ error: { code, message, requestId, fields? } }`. Sessions are httpOnly cookies set by /api/auth/sign-in.',
    },
    components: {
      securitySchemes: { session: { type: 'apiKey', in: 'cookie', name: 'eh_access' } },
    },
    security: [{ session: [] }],
    paths,
  });
}
