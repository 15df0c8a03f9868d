// Strict mode (the exam's proctoring.strictMode, "Serious signals raise high-severity
// alerts at once"): every signal is recorded one severity step higher than usual, so a
// tab switch or a full-screen exit is a high alert and a paste or a second device is
// critical. Risk weights stay the same: the score is comparable across exams, and the
// exam's review threshold (reviewRiskThreshold) is where a teacher makes review stricter.
import { SIGNAL_WEIGHTS, severities, type ProctorSignalType, type Severity } from '@exam-hall/protocol';

/** One step up the severity ladder (low -> medium -> high -> critical, critical stays). */
export function raised(severity: Severity): Severity {
  const i = severities.indexOf(severity);
  return severities[Math.min(i + 1, severities.length - 1)]!;
}

/** The severity a signal is recorded with on an exam with or without strict mode. */
export function severityFor(type: ProctorSignalType, strict: boolean): Severity {
  const base = SIGNAL_WEIGHTS[type].severity;
  return strict ? raised(base) : base;
}
