// The words of the mails that carry account links. Plain HTML (one heading, paragraphs, one
// link written out in full) so mail readers and screen readers present it well; the text
// part says the same. Never a password: only the link, who it is for and when it ends.
import type { AccountLinkPurpose } from '@exam-hall/protocol';
import type { MailMessage } from './accounts.mailer.ts';

interface Words {
  subject: string;
  heading: string;
  what: string;
  action: string;
  unexpected: string;
}

function wordsFor(purpose: AccountLinkPurpose, institution: string): Words {
  switch (purpose) {
    case 'invitation':
      return {
        subject: `Your ${institution} exam account: choose a password`,
        heading: 'Choose a password for your exam account',
        what: `An account was made for you on the ${institution} exam hall. Open the link below to choose your password; after that you sign in with this email address and that password.`,
        action: 'Choose my password',
        unexpected: 'If you did not expect this, ignore this mail: nothing happens until the link is opened.',
      };
    case 'password_reset':
      return {
        subject: `Reset your ${institution} exam hall password`,
        heading: 'Reset your password',
        what: 'Someone asked to reset the password of your exam account. Open the link below to choose a new one; every device signed in to your account is then signed out.',
        action: 'Choose a new password',
        unexpected:
          'If you did not ask for this, ignore this mail: your password stays as it is. If it keeps happening, tell your administrator.',
      };
    case 'email_verification':
      return {
        subject: `Confirm your email for the ${institution} exam hall`,
        heading: 'Confirm your email address',
        what: 'You chose a password for your exam account. Open the link below to confirm that this address is yours; you can sign in once it is confirmed.',
        action: 'Confirm my email',
        unexpected: 'If you did not do this, ignore this mail: the account stays unconfirmed.',
      };
  }
}

const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** "Friday 12 December 2026 at 09:30 UTC": unambiguous for any reader. */
function when(d: Date): string {
  const date = d.toLocaleDateString('en-GB', {
    weekday: 'long',
    day: 'numeric',
    month: 'long',
    year: 'numeric',
    timeZone: 'UTC',
  });
  const time = d.toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit', timeZone: 'UTC' });
  return `${date} at ${time} UTC`;
}

export function accountLinkMail(
  purpose: AccountLinkPurpose,
  user: { email: string; name: string },
  link: { url: string; expiresAt: Date },
  institution: string,
): MailMessage {
  const w = wordsFor(purpose, institution);
  const expires = `The link works once and until ${when(link.expiresAt)}. After that, ask for a new one.`;
  const forWhom = `This mail is for ${user.name} (${user.email}).`;
  const text = [
    `Hello ${user.name},`,
    '',
    w.what,
    '',
    `${w.action}: ${link.url}`,
    '',
    expires,
    forWhom,
    w.unexpected,
    '',
    `${institution} exam hall`,
  ].join('\n');
  const h = escapeHtml;
  const html = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>${h(w.subject)}</title></head>
<body>
<h1>${h(w.heading)}</h1>
<p>Hello ${h(user.name)},</p>
<p>${h(w.what)}</p>
<p><a href="${h(link.url)}">${h(w.action)}</a></p>
<p>If the link does not open, copy this address into your browser:<br>${h(link.url)}</p>
<p>${h(expires)}</p>
<p>${h(forWhom)} ${h(w.unexpected)}</p>
<p>${h(institution)} exam hall</p>
</body>
</html>
`;
  return { to: user.email, subject: w.subject, text, html };
}
