// Unauthenticated /_emulator/* routes so someone running the CLI can play a meeting with curl.
// Not Zoom: only served when the controlRoutes option is on.
import type { GenerateOptions, GeneratedMeeting } from './generate.ts';
import { isReply, json, jsonBody, matchPath, type Reply, type Req } from './http.ts';
import type { Ctx } from './context.ts';
import type { Person } from './state.ts';
import type { WebhookDelivery } from './webhooks.ts';

export interface Controls {
  ctx: Ctx;
  createMeeting(body?: Record<string, unknown>): Record<string, unknown>;
  startMeeting(id: string, at?: Date): Promise<{ uuid: string; delivery: WebhookDelivery }>;
  join(id: string, person: Person, at?: Date): Promise<{ delivery: WebhookDelivery }>;
  leave(id: string, key: string, at?: Date, reason?: string): Promise<WebhookDelivery>;
  endMeeting(id: string, at?: Date): Promise<WebhookDelivery[]>;
  generate(id: string, opts: GenerateOptions): GeneratedMeeting;
  report(id: string): Array<Record<string, unknown>>;
}

const when = (v: unknown) => (typeof v === 'string' ? new Date(v) : undefined);
const brief = (d: WebhookDelivery) => ({ event: d.event, status: d.status, error: d.error });

export function controlRoutes(c: Controls) {
  return async (req: Req): Promise<Reply | undefined> => {
    const body = req.method === 'POST' ? jsonBody(req) : {};
    if (isReply(body)) return body;
    try {
      if (req.method === 'GET' && matchPath('_emulator/stats', req.segments)) return json(200, c.ctx.stats);
      if (req.method === 'POST' && matchPath('_emulator/meetings', req.segments)) {
        return json(201, c.createMeeting(body));
      }
      const p = matchPath('_emulator/meetings/:id/:action', req.segments);
      if (!p) return undefined;
      const id = p.id!;
      switch (`${req.method} ${p.action}`) {
        case 'POST start':
          return json(200, { uuid: (await c.startMeeting(id, when(body.at))).uuid });
        case 'POST join': {
          const { delivery, ...ids } = await c.join(id, body.person as Person, when(body.at));
          return json(200, { ...ids, delivery: brief(delivery) });
        }
        case 'POST leave':
          return json(
            200,
            brief(await c.leave(id, String(body.key), when(body.at), body.reason as string | undefined)),
          );
        case 'POST end':
          return json(200, (await c.endMeeting(id, when(body.at))).map(brief));
        case 'POST generate':
          return json(200, c.generate(id, body as unknown as GenerateOptions));
        case 'GET report':
          return json(200, c.report(id));
        default:
          return undefined;
      }
    } catch (err) {
      return json(409, { message: err instanceof Error ? err.message : String(err) });
    }
  };
}
