// Words for the review's states, shared by the reviewer's pages and the student's panel.
import type { AlertAction, AppealStatus, AttemptReviewStatus, TrailKind } from '@exam-hall/protocol';

export const reviewStatusLabels: Record<AttemptReviewStatus, string> = {
  pending: 'Waiting for review',
  approved: 'Approved',
  flagged: 'Flagged',
  rejected: 'Rejected',
};

export const alertActionLabels: Record<AlertAction, string> = {
  ignored: 'Ignored',
  warning_sent: 'Warning sent',
  session_flagged: 'Session flagged',
  session_terminated: 'Session terminated',
};

export const appealStatusLabels: Record<AppealStatus, string> = {
  open: 'Waiting for the teacher',
  upheld: 'Upheld: the decision stands',
  overturned: 'Overturned: the attempt is approved',
};

export const trailKindLabels: Record<TrailKind, string> = {
  started: 'Attempt',
  alert: 'Alert',
  alert_review: 'Alert reviewed',
  alert_action: 'Alert action',
  proctor_action: 'Proctor',
  ended: 'Attempt ended',
  review_required: 'Review required',
  decision: 'Review decision',
  appeal: 'Appeal',
  appeal_resolved: 'Appeal resolved',
};
