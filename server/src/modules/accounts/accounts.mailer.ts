// Outgoing mail through one SMTP server (SMTP_URL). The URL carries the password: it is
// handed to nodemailer and never logged, and failures are reported without it.
import nodemailer from 'nodemailer';
import type { Config } from '../../config/config.ts';

export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  html: string;
}

export interface Mailer {
  /** Resolves when the server accepted the message; rejects with a `MailError` otherwise. */
  send(message: MailMessage): Promise<void>;
}

/** A refusal or an unreachable server, with a message safe to show to the person who sent the mail. */
export class MailError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MailError';
  }
}

/** Time limits so a silent mail server cannot hold a request for minutes. */
const TIMEOUTS = { connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 20_000 };

export function createMailer(config: Pick<Config, 'mail'>): Mailer | null {
  const { smtpUrl, from } = config.mail;
  if (!smtpUrl) return null;
  const transport = nodemailer.createTransport(smtpUrl, {
    ...TIMEOUTS,
    disableFileAccess: true,
    disableUrlAccess: true,
  });
  const secrets = secretsOf(smtpUrl);
  return {
    async send({ to, subject, text, html }) {
      try {
        await transport.sendMail({ from, to, subject, text, html });
      } catch (e) {
        throw new MailError(describe(e, secrets));
      }
    },
  };
}

function secretsOf(smtpUrl: string): string[] {
  const u = URL.parse(smtpUrl);
  if (!u) return [smtpUrl];
  return [smtpUrl, u.password, decodeURIComponent(u.password), u.username, decodeURIComponent(u.username)].filter(
    (s) => s.length >= 3,
  );
}

/** Why the mail did not go, in words for an administrator, with every credential removed. */
function describe(e: unknown, secrets: string[]): string {
  const err = e as { code?: string; responseCode?: number; response?: string; message?: string };
  let why: string;
  if (err.code === 'EAUTH') {
    // Before the response check: a refused sign-in carries a response code too.
    why = 'The mail server did not accept the sign-in of SMTP_URL.';
  } else if (err.responseCode) {
    // The response starts with its code ("550 Mailbox unavailable").
    why = `The mail server refused the message: ${err.response ?? err.responseCode}`;
  } else if (err.code === 'ECONNECTION' || err.code === 'ETIMEDOUT' || err.code === 'ESOCKET' || err.code === 'EDNS') {
    why = `The mail server could not be reached (${err.code}): ${err.message ?? ''}`;
  } else {
    why = `The message could not be sent: ${err.message ?? String(e)}`;
  }
  for (const s of secrets) why = why.split(s).join('[redacted]');
  // One line, bounded: it is shown on a page and stored nowhere.
  return why.replace(/\s+/g, ' ').trim().slice(0, 300);
}
