// Questions to IMS QTI 3.0 assessment items, all in one XML document (root <qti-items>:
// not a QTI element; each child is a complete item, to split into files for a content package).
import { XMLValidator } from 'fast-xml-parser';
import type { QuestionInput } from '@exam-hall/protocol';
import { escapeXml, plainText } from './report.ts';
import { GUIDANCE_VIEW, PROMPT_CLASS } from './qti.ts';

const NS = 'http://www.imsglobal.org/xsd/imsqtiasi_v3p0';
const TEMPLATE = 'https://purl.imsglobal.org/spec/qti/v3p0/rptemplates';

/** The prompt as XML when it is well-formed XHTML, else as escaped text (noted in the file). */
function html(s: string, notes: string[]): string {
  if (XMLValidator.validate(`<div>${s}</div>`) === true) return s;
  notes.push('its text is not well-formed XHTML, so it is kept as plain text');
  return escapeXml(s);
}
const value = (v: string | number) => `<qti-value>${escapeXml(String(v))}</qti-value>`;

function declaration(id: string, cardinality: string, baseType: string, correct: (string | number)[], mapping = '') {
  return `<qti-response-declaration identifier="${id}" cardinality="${cardinality}" base-type="${baseType}"><qti-correct-response>${correct.map(value).join('')}</qti-correct-response>${mapping}</qti-response-declaration>`;
}
const rp = (template: string) => `<qti-response-processing template="${TEMPLATE}/${template}.xml"/>`;
const mappingOf = (keys: string[], caseSensitive: boolean) =>
  `<qti-mapping default-value="0">${keys.map((k) => `<qti-map-entry map-key="${escapeXml(k)}" mapped-value="1" case-sensitive="${caseSensitive}"/>`).join('')}</qti-mapping>`;

function parts(q: QuestionInput, notes: string[]): { decls: string[]; body: string; processing: string } {
  const prompt = `<div class="${PROMPT_CLASS}">${html(q.prompt, notes)}</div>`;
  const choice = (id: string, text: string, tag = 'qti-simple-choice') =>
    `<${tag} identifier="${id}">${html(text, notes)}</${tag}>`;
  switch (q.type) {
    case 'single_choice':
    case 'multiple_choice': {
      const single = q.type === 'single_choice';
      const correct = single ? [q.answerKey.correct] : q.answerKey.correct;
      return {
        decls: [declaration('RESPONSE', single ? 'single' : 'multiple', 'identifier', correct)],
        body: `${prompt}<qti-choice-interaction response-identifier="RESPONSE" max-choices="${single ? 1 : 0}" shuffle="true">${q.content.options.map((o) => choice(o.id, o.text)).join('')}</qti-choice-interaction>`,
        processing: rp('match_correct'),
      };
    }
    case 'true_false':
      return {
        decls: [declaration('RESPONSE', 'single', 'identifier', [q.answerKey.correct ? 'true' : 'false'])],
        body: `${prompt}<qti-choice-interaction response-identifier="RESPONSE" max-choices="1" shuffle="false">${choice('true', 'True')}${choice('false', 'False')}</qti-choice-interaction>`,
        processing: rp('match_correct'),
      };
    case 'short_answer': {
      if (q.answerKey.pattern) notes.push('its pattern');
      const accepted = q.answerKey.accepted;
      return {
        decls: [
          declaration(
            'RESPONSE',
            'single',
            'string',
            accepted.slice(0, 1),
            mappingOf(accepted, q.answerKey.caseSensitive),
          ),
        ],
        body: `${prompt}<p><qti-text-entry-interaction response-identifier="RESPONSE"/></p>`,
        processing: rp('map_response'),
      };
    }
    case 'numeric': {
      if (q.content.units.length) notes.push('its units');
      if (q.answerKey.answers.length > 1) notes.push('accepted values after the first');
      const a = q.answerKey.answers[0]!;
      return {
        decls: [declaration('RESPONSE', 'single', 'float', [a.value])],
        body: `${prompt}<p><qti-text-entry-interaction response-identifier="RESPONSE"/></p>`,
        processing: `<qti-response-processing><qti-response-condition><qti-response-if><qti-equal tolerance-mode="absolute" tolerance="${a.tolerance} ${a.tolerance}"><qti-variable identifier="RESPONSE"/><qti-correct identifier="RESPONSE"/></qti-equal><qti-set-outcome-value identifier="SCORE"><qti-variable identifier="MAXSCORE"/></qti-set-outcome-value></qti-response-if></qti-response-condition></qti-response-processing>`,
      };
    }
    case 'essay': {
      if (q.answerKey.rubric.length) notes.push('its rubric');
      const limit = q.content.wordLimit ? ` data-word-limit="${q.content.wordLimit}"` : '';
      const guidance = q.answerKey.guidance
        ? `<qti-rubric-block view="${GUIDANCE_VIEW}" use="scoring">${html(q.answerKey.guidance, notes)}</qti-rubric-block>`
        : '';
      return {
        decls: [`<qti-response-declaration identifier="RESPONSE" cardinality="single" base-type="string"/>`],
        body: `${guidance}${prompt}<qti-extended-text-interaction response-identifier="RESPONSE"${limit}/>`,
        processing: '',
      };
    }
    case 'matching': {
      const set = (list: { id: string; text: string }[], max: number) =>
        `<qti-simple-match-set>${list.map((c) => `<qti-simple-associable-choice identifier="${c.id}" match-max="${max}">${html(c.text, notes)}</qti-simple-associable-choice>`).join('')}</qti-simple-match-set>`;
      return {
        decls: [
          declaration(
            'RESPONSE',
            'multiple',
            'directedPair',
            q.answerKey.pairs.map((p) => `${p.stemId} ${p.choiceId}`),
          ),
        ],
        body: `${prompt}<qti-match-interaction response-identifier="RESPONSE" max-associations="${q.content.stems.length}" shuffle="true">${set(q.content.stems, 1)}${set(q.content.choices, q.content.stems.length)}</qti-match-interaction>`,
        processing: rp('match_correct'),
      };
    }
    case 'ordering':
      return {
        decls: [declaration('RESPONSE', 'ordered', 'identifier', q.answerKey.order)],
        body: `${prompt}<qti-order-interaction response-identifier="RESPONSE" shuffle="true">${q.content.items.map((i) => choice(i.id, i.text)).join('')}</qti-order-interaction>`,
        processing: rp('match_correct'),
      };
    case 'fill_blanks': {
      const keys = new Map(q.answerKey.gaps.map((k) => [k.gapId, k]));
      const gaps = new Map(q.content.gaps.map((g) => [g.id, g]));
      const decls: string[] = [];
      const text = html(q.prompt, notes).replace(/\[\[([A-Za-z0-9_-]{1,21})\]\]/g, (whole, id: string) => {
        const g = gaps.get(id);
        const k = keys.get(id);
        if (!g || !k) return whole;
        const rid = `GAP_${id}`;
        if (g.options) {
          decls.push(declaration(rid, 'single', 'identifier', k.accepted.slice(0, 1)));
          return `<qti-inline-choice-interaction response-identifier="${rid}">${g.options.map((o) => `<qti-inline-choice identifier="${o.id}">${escapeXml(plainText(o.text))}</qti-inline-choice>`).join('')}</qti-inline-choice-interaction>`;
        }
        decls.push(
          declaration(rid, 'single', 'string', k.accepted.slice(0, 1), mappingOf(k.accepted, k.caseSensitive)),
        );
        return `<qti-text-entry-interaction response-identifier="${rid}"/>`;
      });
      return { decls, body: `<div class="${PROMPT_CLASS}">${text}</div>`, processing: rp('map_response') };
    }
  }
}

function itemXml(q: QuestionInput, n: number, notes: string[]): string {
  const p = parts(q, notes);
  const title = plainText(q.prompt).slice(0, 80) || `Question ${n}`;
  return [
    `<qti-assessment-item xmlns="${NS}" identifier="q${n}" title="${escapeXml(title)}" adaptive="false" time-dependent="false">`,
    ...p.decls,
    '<qti-outcome-declaration identifier="SCORE" cardinality="single" base-type="float"/>',
    `<qti-outcome-declaration identifier="MAXSCORE" cardinality="single" base-type="float"><qti-default-value>${value(q.points)}</qti-default-value></qti-outcome-declaration>`,
    `<qti-item-body>${p.body}</qti-item-body>`,
    p.processing,
    '</qti-assessment-item>',
  ]
    .filter(Boolean)
    .join('\n');
}

export function renderQti(questions: QuestionInput[]): string {
  const comments: string[] = [];
  const items = questions.map((q, i) => {
    const notes: string[] = [];
    const xml = itemXml(q, i + 1, notes);
    if (notes.length)
      comments.push(`<!-- Question ${i + 1}: QTI export leaves out ${[...new Set(notes)].join(', ')}. -->`);
    return xml;
  });
  if (questions.some((q) => q.tags.length)) comments.push('<!-- Tags are not part of a QTI item and are left out. -->');
  return `<?xml version="1.0" encoding="UTF-8"?>\n${comments.join('\n')}${comments.length ? '\n' : ''}<qti-items>\n${items.join('\n')}\n</qti-items>\n`;
}
