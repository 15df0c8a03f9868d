// HTTP contracts: what a route takes and answers, declared once and used by the
// server's route() (validation, OpenAPI) and by the web app's typed client.
import type { z } from 'zod';

export type HttpMethod = 'get' | 'post' | 'put' | 'patch' | 'delete';

type AnyObject = z.ZodType<Record<string, unknown>>;

export interface EndpointSpec {
  method: HttpMethod;
  /** Express syntax, e.g. /api/exams/:id; `:name` is filled from params. */
  path: string;
  params?: AnyObject;
  query?: AnyObject;
  body?: z.ZodType;
  /** The success status (200 unless given); 204 answers no body. */
  status?: 200 | 201 | 202 | 204;
  /** The JSON answered with the success status; absent for 204 and non-JSON answers (CSV, PDF, images). */
  response?: z.ZodType;
}

/** Declares one endpoint; keeps the literal types so params, body and answer can be derived from it. */
export const endpoint = <const E extends EndpointSpec>(spec: E): E => spec;

type Out<E, K extends keyof EndpointSpec> = E extends { [P in K]: infer S extends z.ZodType } ? z.output<S> : undefined;
type In<E, K extends keyof EndpointSpec> = E extends { [P in K]: infer S extends z.ZodType } ? z.input<S> : undefined;

/** Validated path parameters, query and body as the server sees them. */
export type ParamsOf<E extends EndpointSpec> = Out<E, 'params'>;
export type QueryOf<E extends EndpointSpec> = Out<E, 'query'>;
export type BodyOf<E extends EndpointSpec> = Out<E, 'body'>;
/** What a client sends. */
export type ParamsIn<E extends EndpointSpec> = In<E, 'params'>;
export type QueryIn<E extends EndpointSpec> = In<E, 'query'>;
export type BodyIn<E extends EndpointSpec> = In<E, 'body'>;
/** The parsed answer (a client's view) and what a handler may return (the server's view). */
export type ResponseOf<E extends EndpointSpec> = Out<E, 'response'>;
export type ResponseIn<E extends EndpointSpec> = In<E, 'response'>;

/** The path with its `:name` parameters filled in (URI-encoded). */
export function pathOf(spec: Pick<EndpointSpec, 'path'>, params?: Record<string, unknown>): string {
  return spec.path.replace(/:([A-Za-z0-9_]+)/g, (_, name: string) => {
    const value = params?.[name];
    if (value === undefined || value === null) throw new TypeError(`missing path parameter ${name} for ${spec.path}`);
    return encodeURIComponent(String(value));
  });
}
