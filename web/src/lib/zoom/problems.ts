import { ApiRequestError } from '#lib/api.ts';
import { formatWait } from '#lib/format.ts';

/** A failure shown in a Zoom error panel: what happened, and what the teacher can do. */
export type ZoomProblem = {
  kind: 'not_configured' | 'refused' | 'unavailable' | 'other';
  title: string;
  message: string;
  /** What to do next, when there is something to say beyond the server's sentence. */
  advice: string;
};

export function zoomProblemOf(err: unknown, fallback: string): ZoomProblem {
  const message = err instanceof Error && err.message ? err.message : fallback;
  const code = err instanceof ApiRequestError ? err.code : undefined;
  if (code === 'zoom_not_configured') {
    return {
      kind: 'not_configured',
      title: 'Zoom is not set up on this server',
      message,
      advice: 'Ask your administrator to connect the school’s Zoom account. The exam itself works without Zoom.',
    };
  }
  if (code === 'zoom_refused') {
    return {
      kind: 'refused',
      title: 'Zoom refused the request',
      message,
      advice: 'Zoom’s reason is above. Fix it in Zoom or in this form, then try again.',
    };
  }
  if (code === 'zoom_unavailable') {
    const wait = err instanceof ApiRequestError ? err.retryAfterSeconds : undefined;
    return {
      kind: 'unavailable',
      title: 'Zoom cannot be reached right now',
      message,
      advice: wait ? `Try again in ${formatWait(wait)}.` : 'Nothing was lost: try again in a few minutes.',
    };
  }
  return { kind: 'other', title: fallback, message, advice: '' };
}
