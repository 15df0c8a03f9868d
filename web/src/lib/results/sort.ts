// How the results table sorts: every column by its own rule, missing values (no score
// yet, no certificate) always last whichever the direction.
import type { ResultCertificateStatus, ResultRow } from '@exam-hall/protocol';

export type ResultSortKey = 'name' | 'status' | 'submittedAt' | 'percentage' | 'riskScore' | 'certificate';
export type SortDir = 'ascending' | 'descending';

export const resultColumns: { key: ResultSortKey; label: string; numeric?: boolean }[] = [
  { key: 'name', label: 'Student' },
  { key: 'status', label: 'Status' },
  { key: 'submittedAt', label: 'Submitted' },
  { key: 'percentage', label: 'Score', numeric: true },
  { key: 'riskScore', label: 'Risk', numeric: true },
  { key: 'certificate', label: 'Certificate' },
];

/** A new column starts with the order people want first: best scores and highest risk on top. */
export function firstDirection(key: ResultSortKey): SortDir {
  return key === 'percentage' || key === 'riskScore' || key === 'submittedAt' ? 'descending' : 'ascending';
}

const collator = new Intl.Collator('en', { sensitivity: 'base', numeric: true });

function valueOf(row: ResultRow, key: ResultSortKey): string | number | null {
  switch (key) {
    case 'name':
      return row.name;
    case 'status':
      return row.status;
    case 'submittedAt':
      return row.submittedAt ? Date.parse(row.submittedAt) : null;
    case 'percentage':
      return row.percentage;
    case 'riskScore':
      return row.riskScore;
    case 'certificate':
      return row.certificate?.status ?? null;
  }
}

export function sortRows(rows: readonly ResultRow[], key: ResultSortKey, dir: SortDir): ResultRow[] {
  const sign = dir === 'ascending' ? 1 : -1;
  return [...rows].sort((a, b) => {
    const x = valueOf(a, key);
    const y = valueOf(b, key);
    if (x === null || y === null) {
      if (x !== y) return x === null ? 1 : -1;
    } else {
      const c = typeof x === 'number' && typeof y === 'number' ? x - y : collator.compare(String(x), String(y));
      if (c !== 0) return sign * c;
    }
    // Ties keep a stable, readable order.
    return collator.compare(a.name, b.name) || a.attemptNumber - b.attemptNumber;
  });
}

export const certificateLabels: Record<ResultCertificateStatus, string> = {
  pending: 'Pending',
  minting: 'Issuing',
  issued: 'Issued',
  failed: 'Failed',
  revoked: 'Revoked',
};

/** "2.5 / 4" with at most two decimals, as the server stores them. */
export function formatScore(score: number, max: number): string {
  const f = (n: number) => String(Math.round(n * 100) / 100);
  return `${f(score)} / ${f(max)}`;
}

export function formatPercent(share: number | null, digits = 0): string {
  return share === null ? '—' : `${(share * 100).toFixed(digits)}%`;
}
