// Routes are declared, not just registered: one declaration gives the Express
// handler, its input validation, its access rule and its OpenAPI entry.
import type { NextFunction, Request, Response, Router } from 'express';
import { z } from 'zod';
import type { BodyOf, EndpointSpec, HttpMethod, ParamsOf, QueryOf, ResponseIn, Role } from '@exam-hall/protocol';
import { badRequest } from './errors.ts';
import type { Actor, Caller } from '../policy/actor.ts';
import { callerOf, requireActor } from './actor.ts';

type AnyObject = z.ZodType<Record<string, unknown>>;

/** Who may call a route: nobody signed in needed, any signed-in user, or listed roles. */
export type Access = 'public' | 'signed-in' | readonly Role[];

/** What the server adds to a protocol contract: documentation, access rule and body limits. */
export interface RouteOptions<A extends Access = Access> {
  summary: string;
  tags: string[];
  access: A;
  /** A larger JSON body limit for this route only (imports); the default is BODY_LIMIT_KB. */
  bodyLimitKb?: number;
  /** The body arrives unparsed as a Buffer of at most this many KiB (signed webhooks: the
   * signature covers the exact bytes). `body` validation does not apply. */
  rawBodyKb?: number;
  /** Every answer by status; the success status's schema comes from the contract. */
  responses: Record<number, { description: string; schema?: z.ZodType }>;
}

/** The contract and the options together: what validates requests and feeds the OpenAPI document. */
export interface RouteSpec extends RouteOptions {
  method: HttpMethod;
  path: string; // Express syntax, e.g. /api/auth/sessions/:id
  params?: AnyObject;
  query?: AnyObject;
  body?: z.ZodType;
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

/** A handler answers its contract's response (checked by type), or anything for non-JSON answers. */
export type RouteResult<E extends EndpointSpec> = E extends { response: z.ZodType } ? ResponseIn<E> : unknown;

export interface DeclaredRoute {
  spec: RouteSpec;
  contract: EndpointSpec;
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

/** The contract's success schema joins the options' answers under the contract's status. */
function specOf(contract: EndpointSpec, options: RouteOptions): RouteSpec {
  const status = contract.status ?? 200;
  const responses = contract.response
    ? { ...options.responses, [status]: { ...options.responses[status]!, schema: contract.response } }
    : options.responses;
  const { method, path, params, query, body } = contract;
  return { ...options, method, path, params, query, body, responses };
}

export function route<const E extends EndpointSpec, const A extends Access>(
  contract: E,
  options: RouteOptions<A>,
  handle: (input: RouteInput<ParamsOf<E>, QueryOf<E>, BodyOf<E>, A>) => Promise<RouteResult<E> | undefined>,
): DeclaredRoute {
  const spec = specOf(contract, options);
  type Input = RouteInput<ParamsOf<E>, QueryOf<E>, BodyOf<E>, A>;
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
      params: params.data as Input['params'],
      query: query.data as Input['query'],
      body: body.data as Input['body'],
      actor: actor as Input['actor'],
      caller: (actor ? callerOf(req, actor) : null) as Input['caller'],
      req,
      res,
    });
    if (res.headersSent) return;
    if (result === undefined) res.status(204).end();
    else res.json(result); // a handler may set another 2xx status before returning
  };
  return { spec, contract, handler };
}

export function mount(router: Router, routes: DeclaredRoute[]): void {
  for (const r of routes) router[r.spec.method](r.spec.path, r.handler);
}
