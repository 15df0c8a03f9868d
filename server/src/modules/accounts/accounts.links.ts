// Single-use, expiring account links (invitation, password reset, email verification).
// `issue` runs inside the caller's transaction (so the link exists only if the change that
// asked for it commits); `deliver` runs after the commit and either mails the link or hands
// it back to be shown once to whoever issued it. Only the SHA-256 of a token is stored.
import type { AccountLinkOutcome, AccountLinkPurpose } from '@exam-hall/protocol';
import type { Config } from '../../config/config.ts';
import type { Db, Tx } from '../../db/client.ts';
import { hashToken, newToken } from '../../lib/crypto.ts';
import { createMailer, MailError, type Mailer } from './accounts.mailer.ts';
import { accountLinkMail } from './accounts.messages.ts';
import * as repo from './accounts.repository.ts';

export interface IssuedLink {
  url: string;
  expiresAt: Date;
}

export interface AccountLinksDeps {
  db: Db;
  config: Config;
  /** Defaults to the mailer SMTP_URL describes (null when unset). */
  mailer?: Mailer | null;
}

/** Page of the web app that receives each kind of link (the token goes in the fragment). */
export const LINK_PAGES: Record<AccountLinkPurpose, string> = {
  invitation: '/account/invitation',
  password_reset: '/account/reset',
  email_verification: '/account/verify',
};

export function createAccountLinks({ config, mailer = createMailer(config) }: AccountLinksDeps) {
  const ttlMs: Record<AccountLinkPurpose, number> = {
    invitation: config.accountLinks.invitationTtlMs,
    password_reset: config.accountLinks.passwordResetTtlMs,
    email_verification: config.accountLinks.emailVerificationTtlMs,
  };

  /** Makes a new link for the user; older unused links of the same purpose stop working. */
  async function issue(
    tx: Tx,
    input: { userId: string; purpose: AccountLinkPurpose; createdBy: string | null },
  ): Promise<IssuedLink> {
    const token = newToken();
    const expiresAt = new Date(Date.now() + ttlMs[input.purpose]);
    await repo.revokeUnusedTokens(tx, input.userId, input.purpose);
    await repo.insertToken(tx, {
      userId: input.userId,
      purpose: input.purpose,
      tokenHash: hashToken(token),
      expiresAt,
      createdBy: input.createdBy,
    });
    // The fragment never reaches server logs, proxies or a Referer header.
    return { url: `${config.http.publicUrl}${LINK_PAGES[input.purpose]}#token=${token}`, expiresAt };
  }

  /** Call after the transaction that issued the link committed. Never throws for a mail failure. */
  async function deliver(
    user: { email: string; name: string },
    purpose: AccountLinkPurpose,
    link: IssuedLink,
  ): Promise<AccountLinkOutcome> {
    const shown = (reason?: string): AccountLinkOutcome => ({
      delivery: 'shown',
      url: link.url,
      expiresAt: link.expiresAt.toISOString(),
      ...(reason ? { reason } : {}),
    });
    if (!mailer) return shown();
    try {
      await mailer.send(accountLinkMail(purpose, user, link, config.institutionName));
      return { delivery: 'email', email: user.email };
    } catch (e) {
      return shown(e instanceof MailError ? e.message : 'The message could not be sent.');
    }
  }

  return { issue, deliver, mailConfigured: mailer !== null };
}
export type AccountLinks = ReturnType<typeof createAccountLinks>;
