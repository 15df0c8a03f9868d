// What this device remembers of an attempt: the last join's snapshot (so a reload
// while offline still shows the exam), and the keys of everything else kept for it,
// so that a finished attempt leaves nothing behind.
import { attemptSnapshotSchema, type AttemptSnapshot } from '@exam-hall/protocol';
import { Outbox, outboxKey, seqKey } from './outbox.ts';
import { signalsKey } from './signals.ts';
import type { ExamState } from './state.ts';
import { browserStore, readJson, writeJson, type KeyValueStore, type SafeStore } from './storage.ts';

export const snapshotKey = (attemptId: string) => `eh-snapshot:${attemptId}`;
export const currentQuestionKey = (attemptId: string) => `eh-exam-current:${attemptId}`;

/**
 * The attempt is final: nothing can be saved any more, and nothing of it should linger on
 * the device. Answers how many saves were still waiting (they can no longer land).
 */
export function forgetAttempt(attemptId: string, store: KeyValueStore = browserStore()): number {
  const unsent = new Outbox(store, attemptId).size;
  for (const key of [outboxKey, seqKey, signalsKey, snapshotKey, currentQuestionKey]) store.removeItem(key(attemptId));
  return unsent;
}

interface CachedSnapshot {
  snapshot: AttemptSnapshot;
  /** Server time minus device time when last measured. */
  offsetMs: number | null;
}

export class SnapshotCache {
  readonly #store: SafeStore;
  readonly #key: string;

  constructor(store: SafeStore, attemptId: string) {
    this.#store = store;
    this.#key = snapshotKey(attemptId);
  }

  /** The device's copy, if there is one and it still reads as a snapshot. */
  read(): { snapshot: AttemptSnapshot; offsetMs: number | null } | null {
    const raw = readJson(this.#store, this.#key) as Partial<CachedSnapshot> | undefined;
    const parsed = attemptSnapshotSchema.safeParse(raw?.snapshot);
    if (!parsed.success) return null;
    return { snapshot: parsed.data, offsetMs: typeof raw?.offsetMs === 'number' ? raw.offsetMs : null };
  }

  /** Keeps `snap` (or the copy already kept) with the page's newer clock and answers. */
  write(state: ExamState, offsetMs: number | null, snap?: AttemptSnapshot): void {
    if (state.ending) return;
    const current = snap ?? this.read()?.snapshot;
    if (!current) return;
    const clock = state.clock ? { ...current.clock, ...state.clock } : current.clock;
    const cached: CachedSnapshot = { snapshot: { ...current, clock, answers: state.saved }, offsetMs };
    writeJson(this.#store, this.#key, cached);
    state.persistent = this.#store.persistent;
  }
}
