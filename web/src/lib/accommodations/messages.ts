// What the teacher is told after saving an accommodation, in one sentence they can check.
import { describeDuration, extraTimeLabel, hasAccommodation, type AccommodationSaved } from '@exam-hall/protocol';

export function accommodationSavedMessage(email: string, saved: AccommodationSaved): string {
  const a = saved.accommodation;
  const what = hasAccommodation(a)
    ? [
        extraTimeLabel(a) ? `extra time ${extraTimeLabel(a)}` : '',
        a.windowStartsAt ? 'an own window' : '',
        a.extraAttempts ? `${a.extraAttempts} extra ${a.extraAttempts === 1 ? 'attempt' : 'attempts'}` : '',
      ]
        .filter(Boolean)
        .join(', ')
    : '';
  const head = what ? `Saved for ${email}: ${what}.` : `Removed the accommodation of ${email}.`;
  const d = saved.applied?.deltaSeconds ?? 0;
  const running = saved.applied
    ? d === 0
      ? ' Their running attempt’s deadline did not change.'
      : ` Their running attempt’s deadline moved ${d > 0 ? 'later' : 'earlier'} by ${describeDuration(d)}, and they were told.`
    : '';
  return head + running;
}
