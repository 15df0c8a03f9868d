// IMS QTI 3.0 assessment items to questions. Every <qti-assessment-item> in the document is
// read, so a single item, or several in any wrapper, both work.
import { ReportBuilder, UnreadableFile, plainText, refuseIfTooMany, type ParsedFile } from './report.ts';
import { attrOf, child, children, findAll, kids, parseTree, serialize, tagOf, textIn, type XNode } from './xml-tree.ts';

const INLINE = new Set(['qti-text-entry-interaction', 'qti-inline-choice-interaction']);
const BLOCK = new Set([
  'qti-choice-interaction',
  'qti-extended-text-interaction',
  'qti-match-interaction',
  'qti-order-interaction',
]);
const FEEDBACK = new Set(['qti-feedback-inline', 'qti-feedback-block', 'qti-modal-feedback']);
export const PROMPT_CLASS = 'exam-hall-prompt';
export const GUIDANCE_VIEW = 'scorer';

interface Declaration {
  baseType: string;
  correct: string[];
  mapping: { key: string; value: number; caseSensitive: boolean }[];
}

function declarations(item: XNode): Map<string, Declaration> {
  const out = new Map<string, Declaration>();
  for (const d of children(item, 'qti-response-declaration')) {
    const cr = child(d, 'qti-correct-response');
    const map = child(d, 'qti-mapping');
    out.set(attrOf(d, 'identifier') ?? '', {
      baseType: attrOf(d, 'base-type') ?? '',
      correct: cr ? children(cr, 'qti-value').map((v) => textIn(v).trim()) : [],
      mapping: map
        ? children(map, 'qti-map-entry').map((e) => ({
            key: attrOf(e, 'map-key') ?? '',
            value: Number(attrOf(e, 'mapped-value') ?? 0),
            caseSensitive: attrOf(e, 'case-sensitive') === 'true',
          }))
        : [],
    });
  }
  return out;
}

const hasPartial = (d: Declaration) => {
  const full = Math.max(0, ...d.mapping.map((m) => m.value));
  return d.mapping.some((m) => m.value > 0 && m.value < full);
};

/** The keyed values: the correct response, then mapped keys that earn something. */
function keyed(d: Declaration | undefined): string[] {
  if (!d) return [];
  const out = [...d.correct];
  const full = Math.max(0, ...d.mapping.map((m) => m.value));
  for (const m of d.mapping) if (m.value > 0 && m.value >= full && !out.includes(m.key)) out.push(m.key);
  return out;
}

const ids = (prefix: string) => {
  const map = new Map<string, string>();
  return (qtiId: string) => {
    if (!map.has(qtiId)) map.set(qtiId, `${prefix}${map.size + 1}`);
    return map.get(qtiId)!;
  };
};

function maxScore(item: XNode): number {
  const out = children(item, 'qti-outcome-declaration').find((o) => attrOf(o, 'identifier') === 'MAXSCORE');
  const v = Number(textIn(out ? (child(out, 'qti-default-value') ?? {}) : {}).trim());
  return Number.isFinite(v) && v > 0 ? Math.round(v * 100) / 100 : 1;
}

function tolerance(item: XNode, responseId: string): number {
  const rp = child(item, 'qti-response-processing');
  for (const eq of rp ? findAll([rp], 'qti-equal') : []) {
    const refersTo = findAll(kids(eq), 'qti-variable').some((v) => attrOf(v, 'identifier') === responseId);
    const t = Number((attrOf(eq, 'tolerance') ?? '').trim().split(/\s+/)[0]);
    if (refersTo && attrOf(eq, 'tolerance-mode') === 'absolute' && Number.isFinite(t)) return Math.abs(t);
  }
  return 0;
}

function item(node: XNode, out: ReportBuilder) {
  const name = attrOf(node, 'title') || attrOf(node, 'identifier') || '';
  const body = child(node, 'qti-item-body');
  if (!body) return out.skip(name, 'qti-assessment-item', 'The item has no <qti-item-body>');
  const interactions = collect(kids(body));
  const other = interactions.find((n) => !INLINE.has(tagOf(n)!) && !BLOCK.has(tagOf(n)!));
  if (other) return out.skip(name, tagOf(other)!, `QTI ${tagOf(other)} has no equivalent here`);
  if (!interactions.length) return out.skip(name, 'qti-assessment-item', 'The item has no interaction to answer');
  const blocks = interactions.filter((n) => BLOCK.has(tagOf(n)!));
  if (blocks.length > 1 || (blocks.length && blocks.length !== interactions.length))
    return out.skip(name, 'composite', 'Items with several interactions are not supported (except gaps in a text)');
  const decl = declarations(node);
  const warnings: string[] = [];
  if (findAll(kids(node), 'qti-modal-feedback').length || collectTags(kids(body), FEEDBACK))
    warnings.push('Feedback is not imported');
  const rp = child(node, 'qti-response-processing');
  if (rp && !attrOf(rp, 'template') && !findAll([rp], 'qti-equal').length)
    warnings.push("The item's own response processing is replaced by this app's grading");
  const imgs = findAll(kids(body), 'img').filter((i) => !(attrOf(i, 'src') ?? '').startsWith('data:'));
  if (imgs.length)
    return out.skip(
      name,
      tagOf(interactions[0]!)!,
      `The image file '${attrOf(imgs[0]!, 'src') ?? ''}' is missing: only images inside the document (data: URIs) can be imported`,
    );
  const guidanceBlock = findAll(kids(body), 'qti-rubric-block').find((r) => attrOf(r, 'view') === GUIDANCE_VIEW);
  const common = { points: maxScore(node), tags: [] as string[], explanation: null };
  const first = interactions[0]!;
  const sourceType = blocks.length ? tagOf(first)! : interactions.length > 1 ? 'inline gaps' : tagOf(first)!;
  const mapped = blocks.length
    ? block(first, body, decl, warnings, guidanceBlock)
    : inline(interactions, body, decl, node);
  if ('problem' in mapped) return out.skip(name, sourceType, String(mapped.problem), warnings);
  if ([...decl.values()].some(hasPartial))
    warnings.push('Partly right answers (mapped values below full marks) are not accepted here');
  out.add(name || plainText(String(mapped.prompt ?? '')), sourceType, { ...common, ...mapped }, warnings);
}

/** Interactions in document order, not looking inside one. */
function collect(nodes: XNode[]): XNode[] {
  const out: XNode[] = [];
  for (const n of nodes) {
    const t = tagOf(n);
    if (t?.endsWith('-interaction')) out.push(n);
    else if (t !== 'qti-rubric-block') out.push(...collect(kids(n)));
  }
  return out;
}
const collectTags = (nodes: XNode[], tags: Set<string>): boolean =>
  nodes.some((n) => tags.has(tagOf(n) ?? '') || collectTags(kids(n), tags));

/** The body's HTML around its interactions; the wrapper our export puts around a prompt is taken off. */
function promptOf(body: XNode, replace: (n: XNode) => string | undefined): string {
  const nodes = kids(body);
  const drop = (n: XNode) => {
    const t = tagOf(n) ?? '';
    if (FEEDBACK.has(t) || t === 'qti-rubric-block') return '';
    return replace(n);
  };
  const wrapper = nodes.find((n) => tagOf(n) === 'div' && attrOf(n, 'class') === PROMPT_CLASS);
  // Indentation of the XML source is not part of the text.
  return serialize(wrapper ? kids(wrapper) : nodes, drop)
    .replace(/[ \t]*\n\s*/g, '\n')
    .trim();
}

function block(
  n: XNode,
  body: XNode,
  decl: Map<string, Declaration>,
  warnings: string[],
  guidance: XNode | undefined,
): Record<string, unknown> | { problem: string } {
  const d = decl.get(attrOf(n, 'response-identifier') ?? '');
  const qtiPrompt = child(n, 'qti-prompt');
  const base = promptOf(body, (x) => (x === n ? '' : undefined));
  const prompt = [base, qtiPrompt ? serialize(kids(qtiPrompt)).trim() : ''].filter(Boolean).join('\n');
  const key = keyed(d);
  switch (tagOf(n)) {
    case 'qti-choice-interaction': {
      const id = ids('o');
      const choices = children(n, 'qti-simple-choice').map((c) => ({
        qti: attrOf(c, 'identifier') ?? '',
        text: serialize(kids(c)).trim(),
      }));
      const options = choices.map((c) => ({ id: id(c.qti), text: c.text }));
      const correct = key.filter((k) => choices.some((c) => c.qti === k)).map(id);
      const single = attrOf(n, 'max-choices') === '1';
      const words = choices.map((c) => plainText(c.text).toLowerCase());
      if (single && choices.length === 2 && words.includes('true') && words.includes('false') && correct.length === 1) {
        const right = choices.find((c) => id(c.qti) === correct[0])!;
        return {
          type: 'true_false',
          prompt,
          content: {},
          answerKey: { correct: plainText(right.text).toLowerCase() === 'true' },
        };
      }
      if (!correct.length) return { problem: 'No choice is declared correct' };
      if (single) return { type: 'single_choice', prompt, content: { options }, answerKey: { correct: correct[0] } };
      return { type: 'multiple_choice', prompt, content: { options }, answerKey: { correct } };
    }
    case 'qti-extended-text-interaction': {
      const limit = Number(attrOf(n, 'data-word-limit'));
      return {
        type: 'essay',
        prompt,
        content: { wordLimit: Number.isInteger(limit) && limit > 0 ? limit : null },
        answerKey: { rubric: [], guidance: guidance ? serialize(kids(guidance)).trim() || null : null },
      };
    }
    case 'qti-match-interaction': {
      const sets = children(n, 'qti-simple-match-set');
      if (sets.length !== 2) return { problem: 'A match interaction needs two sets' };
      const sid = ids('s');
      const cid = ids('c');
      const stems = children(sets[0]!, 'qti-simple-associable-choice').map((c) => ({
        id: sid(attrOf(c, 'identifier') ?? ''),
        text: serialize(kids(c)).trim(),
      }));
      const choices = children(sets[1]!, 'qti-simple-associable-choice').map((c) => ({
        id: cid(attrOf(c, 'identifier') ?? ''),
        text: serialize(kids(c)).trim(),
      }));
      const pairs = key.map((v) => v.split(/\s+/)).map(([s, c]) => ({ stemId: sid(s ?? ''), choiceId: cid(c ?? '') }));
      return { type: 'matching', prompt, content: { stems, choices }, answerKey: { pairs } };
    }
    case 'qti-order-interaction': {
      const id = ids('i');
      const items = children(n, 'qti-simple-choice').map((c) => ({
        id: id(attrOf(c, 'identifier') ?? ''),
        text: serialize(kids(c)).trim(),
      }));
      return { type: 'ordering', prompt, content: { items }, answerKey: { order: (d?.correct ?? []).map(id) } };
    }
  }
  return { problem: 'Unknown interaction' };
}

/** Text entries and inline choices: one lone text entry is a short answer (or numeric); otherwise gaps. */
function inline(
  list: XNode[],
  body: XNode,
  decl: Map<string, Declaration>,
  item: XNode,
): Record<string, unknown> | { problem: string } {
  const first = list[0]!;
  const holder = list.length === 1 && tagOf(first) === 'qti-text-entry-interaction' ? loneHolder(body, first) : null;
  if (holder) {
    const rid = attrOf(first, 'response-identifier') ?? '';
    const d = decl.get(rid);
    // The element that holds only the entry box goes with it.
    const prompt = promptOf(body, (x) => (x === holder ? '' : undefined));
    const key = keyed(d);
    if (!key.length) return { problem: 'No correct response is declared' };
    if (d && ['float', 'integer'].includes(d.baseType)) {
      const tol = tolerance(item, rid);
      return {
        type: 'numeric',
        prompt,
        content: { units: [], unitRequired: false },
        answerKey: { answers: key.map((k) => ({ value: Number(k), tolerance: tol, fraction: 1 })) },
      };
    }
    return {
      type: 'short_answer',
      prompt,
      content: {},
      answerKey: { accepted: key, caseSensitive: !!d?.mapping.some((m) => m.caseSensitive), whitespace: 'collapse' },
    };
  }
  const gaps: Record<string, unknown>[] = [];
  const keys: Record<string, unknown>[] = [];
  let problem: string | null = null;
  const prompt = promptOf(body, (x) => {
    if (!list.includes(x)) return undefined;
    const id = `g${gaps.length + 1}`;
    const d = decl.get(attrOf(x, 'response-identifier') ?? '');
    const key = keyed(d);
    if (!key.length) problem ??= `Gap ${gaps.length + 1} has no correct response`;
    if (tagOf(x) === 'qti-inline-choice-interaction') {
      const oid = ids(`${id}o`);
      const options = children(x, 'qti-inline-choice').map((c) => ({
        id: oid(attrOf(c, 'identifier') ?? ''),
        text: textIn(c).trim(),
      }));
      gaps.push({ id, options });
      keys.push({ gapId: id, accepted: key.slice(0, 1).map(oid), caseSensitive: false });
    } else {
      gaps.push({ id });
      keys.push({ gapId: id, accepted: key, caseSensitive: !!d?.mapping.some((m) => m.caseSensitive) });
    }
    return `[[${id}]]`;
  });
  if (problem) return { problem };
  return { type: 'fill_blanks', prompt, content: { gaps }, answerKey: { gaps: keys } };
}

/** The element that holds nothing but the target (and white space), or the target itself when it sits in the body. */
function loneHolder(body: XNode, target: XNode): XNode | null {
  if (kids(body).includes(target)) return target;
  const walk = (nodes: XNode[]): XNode | null => {
    for (const n of nodes) {
      const ks = kids(n);
      if (ks.includes(target))
        return ks.every((k) => k === target || (tagOf(k) === null && !textIn(k).trim())) ? n : null;
      const found = walk(ks);
      if (found) return found;
    }
    return null;
  };
  return walk(kids(body));
}

export function parseQti(text: string): ParsedFile {
  refuseIfTooMany(text.match(/<(?:[\w-]+:)?qti-assessment-item[\s>/]/g)?.length ?? 0, 'items');
  const items = findAll(parseTree(text, 'QTI'), 'qti-assessment-item');
  if (!items.length)
    throw new UnreadableFile(
      'This is not a QTI 3.0 file: it has no <qti-assessment-item> element (QTI 2.x items are not read).',
    );
  const out = new ReportBuilder('qti3');
  for (const i of items) item(i, out);
  return out.done();
}
