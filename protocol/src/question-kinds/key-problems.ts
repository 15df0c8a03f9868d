// Rules across a question's content and its key (and, for gaps, its prompt). Paths are
// relative to the question. The input schemas run them, and so does the server's registry.
import type { FillBlanksContent, FillBlanksKey } from './fill-blanks.ts';
import { gapIdsOf } from './fill-blanks.ts';
import type { MatchingContent, MatchingKey, OrderingContent, OrderingKey } from './arrangement.ts';

export interface KeyProblem {
  path: (string | number)[];
  message: string;
}

export function matchingKeyProblems(content: MatchingContent, key: MatchingKey): KeyProblem[] {
  const stems = new Set(content.stems.map((s) => s.id));
  const choices = new Set(content.choices.map((c) => c.id));
  const problems: KeyProblem[] = [];
  key.pairs.forEach((p, i) => {
    if (!stems.has(p.stemId))
      problems.push({ path: ['answerKey', 'pairs', i, 'stemId'], message: `'${p.stemId}' is not a stem` });
    if (!choices.has(p.choiceId))
      problems.push({ path: ['answerKey', 'pairs', i, 'choiceId'], message: `'${p.choiceId}' is not a choice` });
  });
  const keyed = new Set(key.pairs.map((p) => p.stemId));
  for (const s of content.stems) {
    if (!keyed.has(s.id))
      problems.push({ path: ['answerKey', 'pairs'], message: `Stem '${s.id}' has no correct choice` });
  }
  return problems;
}

export function orderingKeyProblems(content: OrderingContent, key: OrderingKey): KeyProblem[] {
  const items = content.items.map((i) => i.id);
  const same = key.order.length === items.length && items.every((id) => key.order.includes(id));
  return same ? [] : [{ path: ['answerKey', 'order'], message: 'The order must list every item exactly once' }];
}

export function fillBlanksKeyProblems(prompt: string, content: FillBlanksContent, key: FillBlanksKey): KeyProblem[] {
  const problems: KeyProblem[] = [];
  const inPrompt = gapIdsOf(prompt);
  const gaps = new Map(content.gaps.map((g) => [g.id, g]));
  for (const id of inPrompt) {
    if (!gaps.has(id))
      problems.push({ path: ['prompt'], message: `The prompt's gap [[${id}]] is not in content.gaps` });
  }
  if (new Set(inPrompt).size !== inPrompt.length)
    problems.push({ path: ['prompt'], message: 'Each gap may appear in the prompt only once' });
  content.gaps.forEach((g, i) => {
    if (!inPrompt.includes(g.id))
      problems.push({ path: ['content', 'gaps', i], message: `Gap '${g.id}' has no [[${g.id}]] in the prompt` });
  });
  const keyed = new Map(key.gaps.map((k) => [k.gapId, k]));
  for (const g of content.gaps) {
    const k = keyed.get(g.id);
    if (!k) {
      problems.push({ path: ['answerKey', 'gaps'], message: `Gap '${g.id}' has no accepted answer` });
      continue;
    }
    if (g.options) {
      const ids = new Set(g.options.map((o) => o.id));
      const bad = k.accepted.filter((a) => !ids.has(a));
      if (bad.length)
        problems.push({
          path: ['answerKey', 'gaps'],
          message: `Gap '${g.id}' accepts '${bad[0]}', which is not one of its options`,
        });
    }
  }
  key.gaps.forEach((k, i) => {
    if (!gaps.has(k.gapId))
      problems.push({ path: ['answerKey', 'gaps', i, 'gapId'], message: `'${k.gapId}' is not a gap` });
  });
  return problems;
}
