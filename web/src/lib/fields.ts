/** One problem, as the API reports it (`body.title`) or as a shared schema does (`title`). */
export type FieldIssue = { path: string; message: string };

/** `body.proctoring.enabled` -> `proctoring.enabled`: the key a form uses for its input. */
export function fieldKey(path: string): string {
  return path.replace(/^(body|query|params)\./, '');
}

/** The id of the input for a field key: dots are awkward in CSS selectors. */
export function fieldId(key: string, prefix = ''): string {
  return prefix + key.replaceAll('.', '-');
}

/** First message per field key, in the order the issues came. */
export function fieldErrors(issues: FieldIssue[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const issue of issues) {
    const key = fieldKey(issue.path);
    out[key] ??= issue.message;
  }
  return out;
}

/** Issues from a zod safeParse failure, with the same dotted paths the server sends (minus `body.`). */
export function zodIssues(error: { issues: { path: PropertyKey[]; message: string }[] }): FieldIssue[] {
  return error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message }));
}

/**
 * Moves focus to the first invalid input inside `root` (document order, which is
 * the order people read the form in). Returns false when no input matches.
 */
export function focusFirstInvalid(root: HTMLElement | undefined, keys: string[], prefix = ''): boolean {
  if (!root) return false;
  const ids = new Set(keys.map((k) => fieldId(k, prefix)));
  for (const el of root.querySelectorAll<HTMLElement>('input, select, textarea, fieldset')) {
    if (el.id && ids.has(el.id)) {
      // A fieldset of radios cannot take focus; its first control can.
      const target = el instanceof HTMLFieldSetElement ? el.querySelector<HTMLElement>('input') : el;
      target?.focus();
      return true;
    }
  }
  return false;
}
