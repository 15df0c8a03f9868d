// The pages a person (and a browser test) uses: courses, a course with its activities and an
// "Open as <person>" launch button per member, "Add an Exam Hall activity" (a deep-linking launch
// as an instructor), the members, and the gradebook. POST /launch starts the OIDC login.
import type { Ctx } from './context.ts';
import { esc, formParams, html, page, redirect, type Reply, type Req } from './http.ts';
import { loginInitiationUrl } from './oidc.ts';
import { activeMembers, gradebookOf, type Course } from './state.ts';

const roleLabel = { instructor: 'Instructor', learner: 'Learner' } as const;

function notFound(what: string): Reply {
  return html(404, page('Not found', `<h1>Not found</h1><p>${esc(what)}</p>`));
}

export function coursesPage(ctx: Ctx): Reply {
  const items = [...ctx.state.courses.values()]
    .map((c) => `<li><a href="/course/${encodeURIComponent(c.id)}">${esc(c.title)}</a> (${esc(c.label)})</li>`)
    .join('');
  return html(
    200,
    page(
      'Courses',
      `<h1>Courses</h1>${items ? `<ul>${items}</ul>` : '<p>No course yet.</p>'}
<h2>Platform registration</h2><dl><dt>Issuer</dt><dd><code>${esc(ctx.origin)}</code></dd>
<dt>Client ID</dt><dd><code>${esc(ctx.clientId)}</code></dd><dt>Deployment ID</dt><dd><code>${esc(ctx.deploymentId)}</code></dd>
<dt>Authentication URL</dt><dd><code>${esc(ctx.origin)}/auth</code></dd><dt>Access token URL</dt><dd><code>${esc(ctx.origin)}/oauth/token</code></dd>
<dt>Key set URL</dt><dd><code>${esc(ctx.origin)}/.well-known/jwks.json</code></dd></dl>`,
    ),
  );
}

function launchForm(c: Course, fields: Record<string, string>, label: string): string {
  const hidden = Object.entries({ context: c.id, ...fields })
    .map(([k, v]) => `<input type="hidden" name="${esc(k)}" value="${esc(v)}">`)
    .join('');
  return `<form method="post" action="/launch" style="display:inline">${hidden}<button type="submit">${esc(label)}</button></form>`;
}

export function coursePage(ctx: Ctx, contextId: string): Reply {
  const c = ctx.state.courses.get(contextId);
  if (!c) return notFound('No such course.');
  const members = activeMembers(c);
  const person = (id: string) => ctx.state.people.get(id)!;
  const links = [...ctx.state.links.values()].filter((l) => l.contextId === c.id);
  const activities = links
    .map((l) => {
      const buttons = members
        .map((m) =>
          launchForm(c, { kind: 'resource', link: l.id, person: m.personId }, `Open as ${person(m.personId).name}`),
        )
        .join(' ');
      return `<section aria-labelledby="h-${esc(l.id)}"><h3 id="h-${esc(l.id)}">${esc(l.title)}</h3>
${l.text ? `<p>${esc(l.text)}</p>` : ''}<p>${buttons}</p></section>`;
    })
    .join('');
  const instructors = members.filter((m) => m.role === 'instructor');
  const options = instructors
    .map((m) => `<option value="${esc(m.personId)}">${esc(person(m.personId).name)}</option>`)
    .join('');
  const addForm = instructors.length
    ? `<form method="post" action="/launch"><input type="hidden" name="context" value="${esc(c.id)}"><input type="hidden" name="kind" value="deep">
<label for="dl-as">Instructor</label> <select id="dl-as" name="person">${options}</select>
<button type="submit">Add an Exam Hall activity</button></form>`
    : '<p>The course has no instructor to add an activity.</p>';
  const rows = c.members
    .map((m) => {
      const p = person(m.personId);
      return `<tr><td>${esc(p.name)}</td><td>${esc(p.email ?? '')}</td><td>${roleLabel[m.role]}</td><td>${m.status}</td></tr>`;
    })
    .join('');
  return html(
    200,
    page(
      c.title,
      `<h1>${esc(c.title)}</h1><p>Course ${esc(c.label)} · <a href="/course/${encodeURIComponent(c.id)}/gradebook">Gradebook</a></p>
<h2>Activities</h2>${activities || '<p>No activity yet.</p>'}
<h2>Add an activity</h2>${addForm}
<h2>Members</h2><table><caption>Members of ${esc(c.title)}</caption><thead><tr><th scope="col">Name</th><th scope="col">Email</th><th scope="col">Role</th><th scope="col">Status</th></tr></thead><tbody>${rows}</tbody></table>`,
    ),
  );
}

export function gradebookPage(ctx: Ctx, contextId: string): Reply {
  const c = ctx.state.courses.get(contextId);
  if (!c) return notFound('No such course.');
  const book = gradebookOf(ctx.state, c.id);
  const head = book.columns.map((col) => `<th scope="col">${esc(col.label)} (/${col.scoreMaximum})</th>`).join('');
  const body = book.rows
    .map((r) => {
      const cells = book.columns
        .map((col) => {
          const s = r.scores[col.lineItemId];
          if (!s) return '<td>–</td>';
          const value = s.scoreGiven === undefined ? s.gradingProgress : `${s.scoreGiven} / ${s.scoreMaximum}`;
          return `<td data-line-item="${esc(col.lineItemId)}">${esc(value)}</td>`;
        })
        .join('');
      return `<tr><th scope="row">${esc(r.name)}</th>${cells}</tr>`;
    })
    .join('');
  return html(
    200,
    page(
      `Gradebook: ${c.title}`,
      `<h1>Gradebook: ${esc(c.title)}</h1><p><a href="/course/${encodeURIComponent(c.id)}">Back to the course</a></p>
<table><caption>Scores posted by tools</caption><thead><tr><th scope="col">Learner</th>${head}</tr></thead><tbody>${body}</tbody></table>`,
    ),
  );
}

/** POST /launch (form: context, kind resource|deep, link, person): starts the login at the tool. */
export function startLaunch(ctx: Ctx, req: Req): Reply {
  const p = formParams(req);
  try {
    const url = loginInitiationUrl(ctx, {
      kind: p.get('kind') === 'deep' ? 'LtiDeepLinkingRequest' : 'LtiResourceLinkRequest',
      contextId: p.get('context') ?? '',
      personId: p.get('person') ?? '',
      resourceLinkId: p.get('link') ?? undefined,
    });
    return redirect(url);
  } catch (err) {
    return html(
      400,
      page('Cannot launch', `<h1>Cannot launch</h1><p class="error" role="alert">${esc((err as Error).message)}</p>`),
    );
  }
}
