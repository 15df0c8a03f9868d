// Unauthenticated /_emulator/* routes so tests (and someone with curl) can drive the platform:
// courses and members, fault injection on score posts, the gradebook and the score log.
// Not part of LTI: only served when the controlRoutes option is on.
import { json, jsonObject, matchPath, type Reply, type Req } from './http.ts';
import type { LtiEmulator } from './emulator.ts';
import type { RoleName } from './state.ts';

const str = (v: unknown) => (typeof v === 'string' && v ? v : undefined);

export function controlRoutes(em: LtiEmulator) {
  return (req: Req): Reply | undefined => {
    const body = req.method === 'POST' ? (jsonObject(req) ?? {}) : {};
    const seg = req.segments;
    try {
      if (req.method === 'GET' && matchPath('_emulator/state', seg)) return json(200, em.snapshot());
      if (req.method === 'GET' && matchPath('_emulator/score-log', seg)) return json(200, em.scoreLog());
      if (req.method === 'POST' && matchPath('_emulator/courses', seg)) {
        const title = str(body.title);
        if (!title) return json(400, { error: 'title is required' });
        return json(201, em.createCourse({ id: str(body.id), title, label: str(body.label) }));
      }
      let m = matchPath('_emulator/courses/:id/gradebook', seg);
      if (req.method === 'GET' && m) return json(200, em.gradebook(m.id!));
      m = matchPath('_emulator/courses/:id/members', seg);
      if (req.method === 'POST' && m) {
        const name = str(body.name);
        const role =
          body.role === 'instructor' ? 'instructor' : body.role === 'learner' || !body.role ? 'learner' : null;
        if (!name || !role) return json(400, { error: 'name is required; role is instructor or learner' });
        const person = em.addMember(m.id!, { id: str(body.id), name, email: str(body.email) }, role as RoleName);
        return json(201, person);
      }
      m = matchPath('_emulator/courses/:id/members/:person', seg);
      if (req.method === 'DELETE' && m) {
        em.removeMember(m.id!, m.person!);
        return { status: 204 };
      }
      if (req.method === 'POST' && matchPath('_emulator/faults/scores', seg)) {
        const count = Number(body.count ?? 1);
        const status = Number(body.status ?? 500);
        if (!Number.isInteger(count) || count < 0 || !Number.isInteger(status) || status < 400 || status > 599) {
          return json(400, { error: 'count is a whole number; status is 400-599' });
        }
        em.failNextScores(count, status);
        return json(200, { count, status });
      }
    } catch (err) {
      return json(400, { error: err instanceof Error ? err.message : String(err) });
    }
    return undefined;
  };
}
