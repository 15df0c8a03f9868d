// Settings that do what they say: the strict-mode severity ladder and the allowed-browser check.
import { describe, expect, it } from 'vitest';
import { SIGNAL_WEIGHTS, proctorSignalTypes } from '@exam-hall/protocol';
import { raised, severityFor } from '../../src/modules/proctoring/proctoring.strict.ts';
import {
  assertBrowserAllowed,
  browserAllowed,
  detectBrowser,
  listBrowsers,
} from '../../src/modules/attempts/attempts.browser-check.ts';

const UA = {
  chrome: 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
  headless:
    'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/131.0.0.0 Safari/537.36',
  chromium:
    'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chromium/120.0.0.0 Chrome/120.0.0.0 Safari/537.36',
  firefox: 'Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0',
  safari:
    'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15',
  edge: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.2903.86',
};

describe('strict mode severities', () => {
  it('raises every signal one step and leaves critical at the top', () => {
    expect(raised('low')).toBe('medium');
    expect(raised('medium')).toBe('high');
    expect(raised('high')).toBe('critical');
    expect(raised('critical')).toBe('critical');
  });

  it('maps each signal type: unchanged without strict mode, one step up with it', () => {
    for (const type of proctorSignalTypes) {
      expect(severityFor(type, false)).toBe(SIGNAL_WEIGHTS[type].severity);
      expect(severityFor(type, true)).toBe(raised(SIGNAL_WEIGHTS[type].severity));
    }
    expect(severityFor('tab_hidden', true)).toBe('high');
    expect(severityFor('fullscreen_exit', true)).toBe('high');
    expect(severityFor('second_device', true)).toBe('critical');
  });
});

describe('allowed browsers', () => {
  it('recognises the browsers an exam can name, with their major version', () => {
    expect(detectBrowser(UA.chrome)).toEqual({ name: 'chrome', label: 'Chrome 131' });
    expect(detectBrowser(UA.headless).name).toBe('chrome');
    expect(detectBrowser(UA.chromium)).toEqual({ name: 'chromium', label: 'Chromium 120' });
    expect(detectBrowser(UA.firefox)).toEqual({ name: 'firefox', label: 'Firefox 133' });
    expect(detectBrowser(UA.safari)).toEqual({ name: 'safari', label: 'Safari 17' });
    expect(detectBrowser(UA.edge)).toEqual({ name: 'edge', label: 'Microsoft Edge 131' });
  });

  it('never throws on what a User-Agent header may hold', () => {
    for (const ua of [undefined, '', '   ', 'node', '\u0000\uffff', 'x'.repeat(100_000), '(((((']) {
      expect(() => detectBrowser(ua)).not.toThrow();
      expect(detectBrowser(ua).name).toBeNull();
    }
  });

  it('lets any browser in when the list is empty, and only listed ones otherwise', () => {
    expect(browserAllowed([], null)).toBe(true);
    expect(browserAllowed(['firefox'], 'firefox')).toBe(true);
    expect(browserAllowed(['firefox'], 'safari')).toBe(false);
    expect(browserAllowed(['firefox'], null)).toBe(false);
    expect(browserAllowed(['edge'], 'chrome')).toBe(false);
    // Chromium mostly sends Chrome's User-Agent: the two stand for each other.
    expect(browserAllowed(['chromium'], 'chrome')).toBe(true);
    expect(browserAllowed(['chrome'], 'chromium')).toBe(true);
  });

  it('says which browsers to use and which one is in use', () => {
    expect(listBrowsers(['firefox'])).toBe('Firefox');
    expect(listBrowsers(['firefox', 'chrome'])).toBe('Firefox or Chrome');
    expect(listBrowsers(['firefox', 'chrome', 'edge'])).toBe('Firefox, Chrome or Edge');
    expect(() => assertBrowserAllowed({ allowedBrowsers: ['firefox', 'chrome'] }, UA.safari)).toThrow(
      'This exam must be taken in Firefox or Chrome. You are using Safari 17. Open the exam in Firefox or Chrome to continue.',
    );
    expect(() => assertBrowserAllowed({ allowedBrowsers: ['firefox', 'chrome'] }, UA.chrome)).not.toThrow();
    expect(() => assertBrowserAllowed({}, undefined)).not.toThrow();
  });
});
