// Time on each question, as the student's page measures it: seconds while the question is
// the one shown and the page is visible (a hidden tab or a paused exam counts nothing).
// Each save takes the seconds gathered for its question since the last one (whole seconds;
// the rest waits for the next save), and the server adds them to the answer only when the
// save is applied, capped by how long the attempt has really run.

/** Most seconds one save may carry (saveAnswerSchema's limit). */
const MAX_SECONDS = 86_400;

export class TimeOnQuestions {
  readonly #now: () => number;
  #current: string | undefined;
  #visible = true;
  /** When the running stretch began, or undefined when nothing is being counted. */
  #since: number | undefined;
  #ms = new Map<string, number>();

  constructor(now: () => number = () => performance.now()) {
    this.#now = now;
  }

  /** The question now shown (undefined: none, e.g. paused or ended). */
  show(questionId: string | undefined): void {
    if (questionId === this.#current) return;
    this.#close();
    this.#current = questionId;
    this.#open();
  }

  /** The page became visible or hidden. */
  visible(visible: boolean): void {
    if (visible === this.#visible) return;
    this.#close();
    this.#visible = visible;
    this.#open();
  }

  /** Whole seconds gathered for the question since it was last taken; what is left over stays. */
  take(questionId: string): number {
    this.#close();
    const ms = this.#ms.get(questionId) ?? 0;
    const seconds = Math.min(MAX_SECONDS, Math.floor(ms / 1000));
    this.#ms.set(questionId, ms - seconds * 1000);
    this.#open();
    return seconds;
  }

  #open(): void {
    this.#since = this.#current !== undefined && this.#visible ? this.#now() : undefined;
  }

  #close(): void {
    if (this.#current !== undefined && this.#since !== undefined) {
      const elapsed = Math.max(0, this.#now() - this.#since);
      this.#ms.set(this.#current, (this.#ms.get(this.#current) ?? 0) + elapsed);
    }
    this.#since = undefined;
  }
}
