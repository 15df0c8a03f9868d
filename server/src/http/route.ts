// Routes are declared, not just registered: one declaration gives the Express
// handler, its input validation, its access rule and its OpenAPI entry.
import type { NextFunction, Request, Response, Router } from 'express';
import { z } from 'zod';
import type { Role } from '@exam-hall/protocol';
import { badRequest } from './errors.ts';
import type { Actor, Caller } from '../policy/actor.ts';
import { callerOf, requireActor } from './actor.ts';

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';
type AnyObject = z.ZodType<Record<string, unknown>>;

/** Who may call a route: nobody signed in needed, any signed-in user, or listed roles. */
export type Access = 'public' | 'signed-in' | readonly Role[];

export interface RouteSpec<P extends AnyObject, Q extends AnyObject, B extends z.ZodType, A extends Access = Access> {
  method: Method;
  path: string; // Express syntax, e.g. /api/auth/sessions/:id
  summary: string;
  tags: string[];
  access: A;
  /** A larger JSON body limit for this route only (imports); the default is BODY_LIMIT_KB. */
  bodyLimitKb?: number;
  /** The body arrives unparsed as a Buffer of at most this many KiB (signed webhooks: the
   * signature covers the exact bytes). `body` validation does not apply. */
  rawBodyKb?: number;
  params?: P;
  query?: Q;
  body?: B;
  responses: Record<number, { description: string; schema?: z.ZodType }>;
}

export interface RouteInput<P, Q, B, A extends Access> {
  params: P;
  query: Q;
  body: B;
  /** Guaranteed present unless the route is public. */
  actor: A extends 'public' ? Actor | null : Actor;
  /** The actor plus where the request came from, for services that audit. */
  caller: A extends 'public' ? Caller | null : Caller;
  req: Request;
  res: Response;
}

export interface DeclaredRoute {
  spec: RouteSpec<AnyObject, AnyObject, z.ZodType>;
  handler: (req: Request, res: Response, next: NextFunction) => Promise<void>;
}

function issuesToFields(location: string, error: z.ZodError) {
  return error.issues.map((i) => ({
    path: [location, ...i.path.map(String)].join('.'),
    message: i.message,
  }));
}

function parsePart<T extends z.ZodType>(schema: T | undefined, value: unknown, location: string) {
  if (!schema) return { ok: true as const, data: undefined };
  const parsed = schema.safeParse(value ?? {});
  return parsed.success
    ? { ok: true as const, data: parsed.data }
    : { ok: false as const, fields: issuesToFields(location, parsed.error) };
}

export function route<P extends AnyObject, Q extends AnyObject, B extends z.ZodType, const A extends Access>(
  spec: RouteSpec<P, Q, B, A>,
  handle: (input: RouteInput<z.output<P>, z.output<Q>, z.output<B>, A>) => Promise<unknown>,
): DeclaredRoute {
  const handler = async (req: Request, res: Response) => {
    const actor = requireActor(req, spec.access);
    const params = parsePart(spec.params, req.params, 'params');
    const query = parsePart(spec.query, req.query, 'query');
    const body = spec.rawBodyKb ? { ok: true as const, data: undefined } : parsePart(spec.body, req.body, 'body');
    const fields = [params, query, body].flatMap((p) => (p.ok ? [] : p.fields));
    if (fields.length) {
      throw badRequest(`Some fields are invalid: ${fields.map((f) => `${f.path} (${f.message})`).join('; ')}`, fields);
    }
    const result = await handle({
      params: params.data as z.output<P>,
      query: query.data as z.output<Q>,
      body: body.data as z.output<B>,
      actor: actor as RouteInput<z.output<P>, z.output<Q>, z.output<B>, A>['actor'],
      caller: (actor ? callerOf(req, actor) : null) as RouteInput<z.output<P>, z.output<Q>, z.output<B>, A>['caller'],
      req,
      res,
    });
    if (res.headersSent) return;
    if (result === undefined) res.status(204).end();
    else res.json(result); // a handler may set another 2xx status before returning
  };
  return { spec: spec as unknown as DeclaredRoute['spec'], handler };
}

export function mount(router: Router, routes: DeclaredRoute[]): void {
  for (const r of routes) router[r.spec.method](r.spec.path, r.handler);
}
