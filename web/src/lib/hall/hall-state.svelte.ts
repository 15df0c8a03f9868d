// The proctor's copy of the hall: the roster and the alerts, replaced by each
// snapshot and patched by the stream. Rows and alerts are raw (not deeply reactive)
// arrays replaced on each change (a burst of updates is one replacement and one re-sort),
// and an unchanged row keeps its object, so its table row is left alone.
/* eslint-disable svelte/prefer-svelte-reactivity -- the maps here are snapshots, replaced whole in
   $state.raw (or, for #index, not meant to be reactive); a SvelteMap would track each of 500 entries. */
import type {
  HallCamera,
  HallProgressItem,
  HallRow,
  HallSnapshot,
  ProctoringEventDto,
  RiskBreakdown,
} from '@exam-hall/protocol';
import { SvelteMap } from 'svelte/reactivity';
import { ServerClock } from '../clock.svelte.ts';
import { compareNames } from './status.ts';

/** Alerts kept in memory; the snapshot brings the latest 200. */
const MAX_ALERTS = 2000;

export class HallState {
  examTitle = $state('');
  rows = $state.raw<HallRow[]>([]);
  alerts = $state.raw<ProctoringEventDto[]>([]);
  /** The server's clock, placed from the latest snapshot; its `now` is the hall's one ticker. */
  clock = $state.raw<ServerClock | null>(null);
  /** Latest breakdown per attempt, from alerts and `hall:risk` answers. */
  risks = $state.raw<ReadonlyMap<string, RiskBreakdown>>(new Map());
  #index = new Map<string, number>();
  /**
   * Answered counts newer than their row ('hall:progress'), by participant. A save changes
   * one entry here, not the roster: at 10,000 students, replacing the rows array re-runs the
   * filter and the sort over every row, while an entry is read only by its drawn table row
   * (and by the sort when it is by answered count). A full row for the participant drops it.
   */
  #progress = new SvelteMap<string, HallProgressItem>();

  /**
   * Names by user, for alerts (an alert may belong to an earlier attempt of the same
   * student). Replaced only when a name appears or changes, so the alert list does
   * not redraw on every progress update.
   */
  names = $state.raw<ReadonlyMap<string, string>>(new Map());
  /**
   * Alphabetical position of each participant (name, then email). Recomputed only
   * when someone joins the roster or a name changes, so sorting a live hall compares
   * integers instead of collating 500 names on every update.
   */
  nameRank = $state.raw<ReadonlyMap<string, number>>(new Map());

  load(snapshot: HallSnapshot, requestStartedPerf: number) {
    this.examTitle = snapshot.examTitle;
    this.rows = snapshot.rows;
    this.#index = new Map(snapshot.rows.map((r, i) => [r.participantId, i]));
    this.#progress.clear();
    this.names = new Map(snapshot.rows.map((r) => [r.userId, r.name]));
    this.nameRank = rankByName(snapshot.rows);
    this.alerts = snapshot.alerts;
    this.clock = new ServerClock(snapshot.serverTime, requestStartedPerf);
  }

  /** Row updates, several at once (a burst is one re-sort and one redraw). */
  applyRows(batch: Iterable<HallRow>) {
    let rows: HallRow[] | null = null;
    let renamed = false;
    for (const row of batch) {
      rows ??= [...this.rows];
      const i = this.#index.get(row.participantId);
      const before = i === undefined ? undefined : rows[i];
      if (this.#progress.has(row.participantId)) this.#progress.delete(row.participantId);
      if (i === undefined) {
        this.#index.set(row.participantId, rows.length);
        rows.push(row);
      } else rows[i] = row;
      if (!before || before.name !== row.name || before.email !== row.email) renamed = true;
    }
    if (!rows) return;
    this.rows = rows;
    if (renamed) {
      this.names = new Map(rows.map((r) => [r.userId, r.name]));
      this.nameRank = rankByName(rows);
    }
  }

  applyRow(row: HallRow) {
    this.applyRows([row]);
  }

  #patchByAttempt(attemptId: string, patch: (r: HallRow) => Partial<HallRow>) {
    const i = this.rows.findIndex((r) => r.attemptId === attemptId);
    if (i >= 0) this.rows = this.rows.with(i, { ...this.rows[i]!, ...patch(this.rows[i]!) });
  }

  setRisk(attemptId: string, risk: RiskBreakdown) {
    this.risks = new Map(this.risks).set(attemptId, risk);
    this.#patchByAttempt(attemptId, () => ({ riskScore: risk.score }));
  }

  /** A student's camera state changed ('hall:camera'). */
  setCamera({ attemptId, state, at, faceVerificationScore }: HallCamera) {
    this.#patchByAttempt(attemptId, () => ({ camera: { state, at, faceVerificationScore } }));
  }

  /** A new alert; answers false for one already known (a replay after reconnecting). */
  addAlert(event: ProctoringEventDto, risk: RiskBreakdown): boolean {
    this.setRisk(event.attemptId, risk);
    if (this.alerts.some((a) => a.id === event.id)) return false;
    this.alerts = [event, ...this.alerts].slice(0, MAX_ALERTS);
    return true;
  }

  /** An alert was reviewed (here or by another proctor). */
  reviewed(event: ProctoringEventDto) {
    const i = this.alerts.findIndex((a) => a.id === event.id);
    const before = i >= 0 ? this.alerts[i]! : undefined;
    if (before) this.alerts = this.alerts.with(i, event);
    // The server does not resend the row for a review: keep its open count right here.
    if (before?.reviewStatus === 'open' && event.reviewStatus !== 'open') {
      this.#patchByAttempt(event.attemptId, (r) => ({ openAlerts: Math.max(0, r.openAlerts - 1) }));
    }
  }

  nameOf(userId: string): string {
    return this.names.get(userId) ?? 'Unknown student';
  }

  /**
   * Answered counts that moved with saves ('hall:progress'), several at once. A row this
   * page does not have, or one showing another attempt, is left alone: the next snapshot
   * or full row brings it. Costs one map entry per item (see #progress), not a new roster.
   */
  applyProgress(items: Iterable<HallProgressItem>) {
    for (const p of items) {
      const i = this.#index.get(p.participantId);
      const row = i === undefined ? undefined : this.rows[i];
      if (!row || row.attemptId !== p.attemptId) continue;
      const known = this.#progress.get(p.participantId);
      if ((known ? known.answered : row.answered) === p.answered) continue;
      this.#progress.set(p.participantId, p);
    }
  }

  /** The row with the latest answered count from 'hall:progress' (the row itself when none is newer). */
  current(row: HallRow): HallRow {
    const p = this.#progress.get(row.participantId);
    return p && p.attemptId === row.attemptId && p.answered !== row.answered ? { ...row, answered: p.answered } : row;
  }
}

function rankByName(rows: HallRow[]): Map<string, number> {
  return new Map(rows.toSorted(compareNames).map((r, i) => [r.participantId, i]));
}
