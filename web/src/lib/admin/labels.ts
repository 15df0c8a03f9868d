import type { AccountStatus } from '@exam-hall/protocol';

export const statusLabels: Record<AccountStatus, string> = {
  active: 'Active',
  invited: 'Invited',
  pending_verification: 'Email not confirmed',
  suspended: 'Suspended',
};

/** What each status means, for the filter's hint and the details page. */
export const statusHelp: Record<AccountStatus, string> = {
  active: 'Can sign in.',
  invited: 'Has not set a password yet (an invitation link, or an access code only).',
  pending_verification: 'Has set a password but has not followed the confirmation link yet.',
  suspended: 'Cannot sign in; every session was ended.',
};
