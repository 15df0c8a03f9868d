// Typed answers are saved after a pause in typing (and at once when the field is left), so a
// sentence is a handful of saves rather than one per key.
export interface Debounced<T> {
  push(value: T): void;
  /** Sends what is waiting now (on blur, and when the question leaves the page). */
  flush(): void;
  /** Drops what is waiting (the answer was replaced from outside, e.g. cleared). */
  cancel(): void;
}

export function debounced<T>(send: (value: T) => void, ms = 700): Debounced<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let waiting: { value: T } | undefined;
  const flush = () => {
    clearTimeout(timer);
    timer = undefined;
    const w = waiting;
    waiting = undefined;
    if (w) send(w.value);
  };
  return {
    push(value) {
      waiting = { value };
      clearTimeout(timer);
      timer = setTimeout(flush, ms);
    },
    flush,
    cancel() {
      clearTimeout(timer);
      timer = undefined;
      waiting = undefined;
    },
  };
}

/** Reads a numeric answer as people type it: 3.5, 3,5, -0.25, 1e3, 1 000. Null when it is not a number. */
export function parseNumber(raw: string): number | null {
  const s = raw.replace(/[\s\u00a0\u202f]/g, '').replace(',', '.');
  if (!/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(s)) return null;
  const n = Number(s);
  return Number.isFinite(n) ? n : null;
}
