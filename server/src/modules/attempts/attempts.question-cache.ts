// The questions of an exam, kept in memory for joins (issue #16): every student of an exam
// holds the same questions, so thousands of joins need not read them from PostgreSQL each.
//
// When can they change? An exam's own questions are locked once the exam has any attempt
// (questions.service.ts lockExam: 409 for add, change, delete, import; reordering stays
// allowed but attempts keep their own order), and a bank question is locked once any attempt
// drew it (banks.service.ts beforeChange, 409). A join always has an attempt, so in practice
// the rows never change while they are served. The cache does not rely on that alone:
//
// Invalidation rule: the join's state query (attempts.live.repository.ts joinStates) returns a
// version of exactly the rows this attempt can hold (the exam's own questions and the ids of
// its question order): their count and the sum of their updated_at (in µs). Every builder
// update sets updated_at ($onUpdate) to a later time, an insert adds a row, a delete removes
// one; so any change moves the version (the sum, not the newest, so that two changes within
// one millisecond are not mistaken for one). The cache serves its copy only when the same
// version computed from the copy matches, and otherwise reloads those rows in one query.
// Because the version is read from PostgreSQL on every join, a change made through another
// process is seen too, with no message between processes. Exam settings (title, proctoring
// flags, disconnect policy) are not cached: joinStates reads them fresh.
//
// Bounded: at most MAX_EXAMS exams, the least recently used dropped first; an exam whose copy
// grows past MAX_ROWS (many different bank draws) starts over from the rows just loaded.
// A Map keeps insertion order, which is all an LRU of this size needs (a dependency for a
// dozen lines was not worth it).
import type { StudentQuestion } from '@exam-hall/protocol';
import { studentViewOf } from '../questions/types/index.ts';
import type { questionsWithVersion } from './attempts.live.repository.ts';

export const MAX_EXAMS = 256;
const MAX_ROWS = 5000;
/** Distinct option orders whose student view is kept per question (shuffled options differ per attempt). */
const MAX_VIEWS = 64;

export type CachedQuestion = Awaited<ReturnType<typeof questionsWithVersion>>[number];

/** One question and the student views already built from it, by option order. */
interface Entry {
  row: CachedQuestion;
  views: Map<string, StudentQuestion>;
}

/** The local version of `rows`, in joinStates format: count '-' sum of updated_at in µs. */
export function versionOf(rows: Iterable<CachedQuestion>): string {
  let n = 0;
  let sum = 0n;
  for (const r of rows) {
    n++;
    sum += BigInt(r.v);
  }
  return `${n}-${sum}`;
}

/** Reads the questions an attempt can hold (the exam's own and `ids`) with their versions. */
export type QuestionLoader = (examId: string, ids: readonly string[]) => Promise<CachedQuestion[]>;

export function createQuestionCache(load: QuestionLoader) {
  const exams = new Map<string, Map<string, Entry>>();
  const loading = new Map<string, Promise<Map<string, Entry>>>();

  function touch(examId: string, entries: Map<string, Entry>) {
    exams.delete(examId);
    exams.set(examId, entries);
    while (exams.size > MAX_EXAMS) exams.delete(exams.keys().next().value!);
  }

  /** The cached entries the attempt can hold: the exam's own and those of its order. */
  function holdable(entries: Map<string, Entry>, examId: string, order: readonly string[]) {
    const out = new Map<string, Entry>();
    for (const e of entries.values()) if (e.row.examId === examId) out.set(e.row.id, e);
    for (const id of order) {
      const e = entries.get(id);
      if (e) out.set(id, e);
    }
    return out;
  }

  async function reload(examId: string, order: readonly string[]): Promise<Map<string, Entry>> {
    const rows = await load(examId, order);
    const old = exams.get(examId) ?? new Map<string, Entry>();
    const entries = old.size + rows.length > MAX_ROWS ? new Map<string, Entry>() : old;
    // What the attempt can hold is now exactly `rows`: stale copies of them go.
    for (const id of holdable(entries, examId, order).keys()) entries.delete(id);
    const fresh = new Map<string, Entry>();
    for (const row of rows) {
      const e = { row, views: new Map<string, StudentQuestion>() };
      entries.set(row.id, e);
      fresh.set(row.id, e);
    }
    touch(examId, entries);
    return fresh;
  }

  /**
   * The questions an attempt can hold, by id, valid for `version` (joinStates), read from
   * PostgreSQL only when the copy's version differs. Concurrent misses for the same rows
   * share one query.
   */
  async function forAttempt(examId: string, order: readonly string[], version: string) {
    const entries = exams.get(examId);
    if (entries) {
      const held = holdable(entries, examId, order);
      if (versionOf([...held.values()].map((e) => e.row)) === version) {
        touch(examId, entries);
        return held;
      }
    }
    const key = `${examId}|${version}|${[...order].sort().join(',')}`;
    let pending = loading.get(key);
    if (!pending) {
      pending = reload(examId, order).finally(() => loading.delete(key));
      loading.set(key, pending);
    }
    return pending;
  }

  /** The student's view of a question in an option order, built once per order (they are never mutated). */
  function studentView(e: Entry, optionOrder: readonly string[] | null | undefined): StudentQuestion {
    const key = optionOrder ? optionOrder.join(',') : '';
    let view = e.views.get(key);
    if (!view) {
      view = studentViewOf(e.row, optionOrder ?? null);
      if (e.views.size < MAX_VIEWS) e.views.set(key, view);
    }
    return view;
  }

  return {
    forAttempt,
    studentView,
    /** How many exams are held (for tests). */
    get size() {
      return exams.size;
    },
  };
}
export type QuestionCache = ReturnType<typeof createQuestionCache>;
