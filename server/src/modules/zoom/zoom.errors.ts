// What went wrong with Zoom, in terms a teacher can act on.
export type ZoomErrorKind = 'not_configured' | 'refused' | 'unavailable' | 'rate_limited' | 'not_found';

export class ZoomError extends Error {
  readonly kind: ZoomErrorKind;
  readonly status: number | undefined;
  readonly retryAfterMs: number | undefined;
  constructor(kind: ZoomErrorKind, message: string, extra: { status?: number; retryAfterMs?: number } = {}) {
    super(message);
    this.name = 'ZoomError';
    this.kind = kind;
    this.status = extra.status;
    this.retryAfterMs = extra.retryAfterMs;
  }
}

export const notConfigured = () =>
  new ZoomError(
    'not_configured',
    'Zoom is not configured on this server: an administrator sets ZOOM_ACCOUNT_ID, ZOOM_CLIENT_ID and ZOOM_CLIENT_SECRET.',
  );
