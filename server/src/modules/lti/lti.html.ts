// The small HTML pages the LTI endpoints answer with. A launch arrives as a top-level form
// post from the LMS, so a person sees these pages, not a JSON error: each names what went
// wrong and what to do. Every dynamic value is escaped.
import type { Response } from 'express';

export class LtiError extends Error {
  readonly status: number;
  readonly advice: string;
  constructor(
    status: number,
    message: string,
    advice = 'Go back to your course in the LMS and open the activity again.',
  ) {
    super(message);
    this.status = status;
    this.advice = advice;
  }
}

const escape = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

export function sendLtiError(res: Response, err: LtiError, requestId: string): void {
  if (res.headersSent) return;
  res
    .status(err.status)
    .set('Cache-Control', 'no-store')
    .set('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors *")
    .type('html')
    .send(
      `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">` +
        `<title>LMS launch refused · Exam Hall</title>` +
        `<style>body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem;color:#1a1a1a}` +
        `.reason{border-left:4px solid #b00020;padding:.5rem 1rem;background:#fdf0f2}small{color:#444}</style></head>` +
        `<body><main><h1>Exam Hall could not open this activity</h1>` +
        `<p class="reason" role="alert">${escape(err.message)}</p>` +
        `<p>${escape(err.advice)}</p>` +
        `<p><small>Error ${err.status}. Request id: ${escape(requestId)} (give it to your administrator).</small></p>` +
        `</main></body></html>`,
    );
}
