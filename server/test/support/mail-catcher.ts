// A real SMTP server (smtp-server from npm) on port 0 that keeps every message it
// receives, decoded to text and HTML, for tests of mail the system sends.
import { SMTPServer } from 'smtp-server';
import type { AddressInfo } from 'node:net';

export interface Mail {
  to: string;
  subject: string;
  text: string;
  html: string;
  raw: string;
}

export const SMTP_USER = 'exam-mailer';
export const SMTP_PASSWORD = 'smtp-Secret-pw-8231';

/** Decodes one MIME part's body by its Content-Transfer-Encoding. */
function decodePart(part: string): { type: string; body: string } {
  const split = part.indexOf('\r\n\r\n');
  const head = part.slice(0, split);
  const body = part.slice(split + 4);
  const type = /content-type:\s*([^;\r\n]+)/i.exec(head)?.[1]?.toLowerCase() ?? '';
  const enc = /content-transfer-encoding:\s*([^\r\n]+)/i.exec(head)?.[1]?.toLowerCase().trim() ?? '7bit';
  if (enc === 'base64') return { type, body: Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8') };
  if (enc === 'quoted-printable') {
    const bytes = body
      .replace(/=\r\n/g, '')
      .replace(/=([0-9A-F]{2})/gi, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
    return { type, body: Buffer.from(bytes, 'latin1').toString('utf8') };
  }
  return { type, body };
}

function parseMail(raw: string, to: string): Mail {
  const subject = /^subject:\s*(.*)$/im.exec(raw)?.[1]?.trim() ?? '';
  const boundary = /boundary="?([^";\r\n]+)"?/i.exec(raw)?.[1];
  const parts = boundary ? raw.split(`--${boundary}`).slice(1, -1) : [];
  const decoded = parts.map((p) => decodePart(p.replace(/^\r\n/, '')));
  return {
    to,
    subject,
    raw,
    text: decoded.find((p) => p.type === 'text/plain')?.body ?? '',
    html: decoded.find((p) => p.type === 'text/html')?.body ?? '',
  };
}

/** A real SMTP server that keeps what it receives and refuses recipients starting with "refuse-". */
export async function startMailCatcher() {
  const mails: Mail[] = [];
  const waiters: { match: (m: Mail) => boolean; resolve: (m: Mail) => void }[] = [];
  const server = new SMTPServer({
    disabledCommands: ['STARTTLS'],
    allowInsecureAuth: true,
    logger: false,
    onAuth(auth, _session, cb) {
      if (auth.username === SMTP_USER && auth.password === SMTP_PASSWORD) cb(null, { user: auth.username });
      else cb(new Error('Invalid username or password'));
    },
    onRcptTo(address, _session, cb) {
      if (address.address.startsWith('refuse-')) {
        cb(Object.assign(new Error('Mailbox unavailable'), { responseCode: 550 }));
      } else cb();
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        for (const rcpt of session.envelope.rcptTo) {
          const mail = parseMail(raw, rcpt.address);
          mails.push(mail);
          for (const w of waiters.filter((w) => w.match(mail))) {
            waiters.splice(waiters.indexOf(w), 1);
            w.resolve(mail);
          }
        }
        cb();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  return {
    url: `smtp://${SMTP_USER}:${SMTP_PASSWORD}@127.0.0.1:${port}`,
    mails,
    /** The first mail to `to` (already received, or the next one), within 10 s. */
    next(to: string, match: (m: Mail) => boolean = () => true): Promise<Mail> {
      const seen = mails.find((m) => m.to === to && match(m));
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no mail to ${to} within 10 s`)), 10_000);
        waiters.push({
          match: (m) => m.to === to && match(m),
          resolve: (m) => {
            clearTimeout(timer);
            resolve(m);
          },
        });
      });
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
