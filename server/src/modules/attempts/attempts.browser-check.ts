// An exam's allowed browsers (proctoring.allowedBrowsers), checked from the User-Agent when
// a student enters the lobby and again when they start the clock. The User-Agent is the
// student's own claim and easy to change, so this keeps honest students on a browser the
// exam was tested with (lockdown features, extensions policy), not a determined cheat out.
import Bowser from 'bowser';
import { BROWSER_LABELS, browserNames, type BrowserName } from '@exam-hall/protocol';
import { AppError } from '../../http/errors.ts';

/** Bowser's names for the browsers an exam can be limited to. */
const BOWSER_NAMES: Record<string, BrowserName> = {
  Chrome: 'chrome',
  Chromium: 'chromium',
  Firefox: 'firefox',
  Safari: 'safari',
  'Microsoft Edge': 'edge',
};

export interface DetectedBrowser {
  /** One of the exam setting's names, or null for any other (or an unreadable) browser. */
  name: BrowserName | null;
  /** What the student is told they use, e.g. "Safari 17". */
  label: string;
}

/** Reads a User-Agent; never throws, whatever the header holds. */
export function detectBrowser(userAgent: string | undefined): DetectedBrowser {
  const ua = (userAgent ?? '').slice(0, 1000);
  if (!ua.trim()) return { name: null, label: 'a browser that does not say which it is' };
  let browser: { name?: string; version?: string };
  try {
    browser = Bowser.getParser(ua).getBrowser();
  } catch {
    return { name: null, label: 'a browser we could not recognise' };
  }
  if (!browser.name) return { name: null, label: 'a browser we could not recognise' };
  const major = browser.version?.split('.')[0];
  const label = major ? `${browser.name} ${major}` : browser.name;
  return { name: BOWSER_NAMES[browser.name] ?? null, label };
}

/**
 * Whether a browser satisfies the list. Most Chromium builds send Chrome's User-Agent,
 * so Chrome and Chromium cannot be told apart and stand for each other.
 */
export function browserAllowed(allowed: readonly string[], detected: BrowserName | null): boolean {
  const list = allowed.filter((b): b is BrowserName => (browserNames as readonly string[]).includes(b));
  if (list.length === 0) return true;
  if (!detected) return false;
  if (detected === 'chrome' || detected === 'chromium') return list.includes('chrome') || list.includes('chromium');
  return list.includes(detected);
}

/** "Firefox", "Firefox or Chrome", "Firefox, Chrome or Edge". */
export function listBrowsers(allowed: readonly BrowserName[]): string {
  const names = allowed.map((b) => BROWSER_LABELS[b]);
  return names.length <= 1 ? (names[0] ?? '') : `${names.slice(0, -1).join(', ')} or ${names.at(-1)}`;
}

/** 403 `browser_not_allowed` with what to do, unless the exam allows this browser (or any). */
export function assertBrowserAllowed(
  proctoring: { allowedBrowsers?: readonly string[] | undefined },
  userAgent: string | undefined,
): void {
  const allowed = (proctoring.allowedBrowsers ?? []).filter((b): b is BrowserName =>
    (browserNames as readonly string[]).includes(b),
  );
  const detected = detectBrowser(userAgent);
  if (browserAllowed(allowed, detected.name)) return;
  throw new AppError(
    403,
    'browser_not_allowed',
    `This exam must be taken in ${listBrowsers(allowed)}. You are using ${detected.label}. Open the exam in ${listBrowsers(allowed)} to continue.`,
  );
}
