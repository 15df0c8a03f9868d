// Proctoring signals from the student's page, for proctored exams only: leaving the
// tab or window, leaving fullscreen (when required), copy / cut / paste and the
// context menu (blocked when the exam says so), and going offline. Each goes into the
// persisted SignalQueue; `flush` sends what is ready.
import type { ProctorSignalType } from '@exam-hall/protocol';
import type { SignalQueue } from './signals.ts';

export interface ProctorOptions {
  queue: SignalQueue;
  blockCopyPaste: boolean;
  requireFullscreen: boolean;
  /** Something is ready to send. */
  flush: () => void;
  /** A short note to the student, e.g. that pasting is turned off. */
  notify: (text: string) => void;
  onFullscreenChange: (inFullscreen: boolean) => void;
  /** The question on screen, sent with copy and paste so the proctor sees where. */
  currentQuestion: () => string | undefined;
}

/** Repeats of one kind within this window count once: a burst of right clicks is one event. */
const REPEAT_WINDOW_MS = 2000;
/** A blur followed this fast by the tab being hidden is the same act: tab_hidden tells it. */
const BLUR_SETTLE_MS = 400;

export function watchProctoring(o: ProctorOptions): () => void {
  const lastAt = new Map<ProctorSignalType, number>();
  const timers = new Set<ReturnType<typeof setTimeout>>();

  function record(type: ProctorSignalType, withQuestion = false) {
    const now = Date.now();
    if (now - (lastAt.get(type) ?? -Infinity) < REPEAT_WINDOW_MS) return;
    lastAt.set(type, now);
    const questionId = withQuestion ? o.currentQuestion() : undefined;
    o.queue.add(type, questionId ? { questionId } : {});
    o.flush();
  }

  // A page that was closed while hidden or offline left its signals held: nobody times them now.
  o.queue.releaseHeld((s) => s.type !== 'offline');
  if (navigator.onLine) o.queue.releaseHeld((s) => s.type === 'offline', Date.now());
  else if (!o.queue.findHeld('offline')) o.queue.add('offline', { held: true });
  o.flush();

  let hiddenId: string | null = null;
  const onVisibility = () => {
    if (document.visibilityState === 'hidden') {
      hiddenId ??= o.queue.add('tab_hidden', { held: true }).clientEventId;
    } else if (hiddenId) {
      const id = hiddenId;
      hiddenId = null;
      o.queue.releaseHeld((s) => s.clientEventId === id, Date.now());
      o.flush();
    }
  };

  const onBlur = () => {
    const t = setTimeout(() => {
      timers.delete(t);
      if (document.visibilityState !== 'hidden' && !document.hasFocus()) record('window_blur');
    }, BLUR_SETTLE_MS);
    timers.add(t);
  };

  const clipboard = (type: 'copy' | 'cut' | 'paste') => (e: ClipboardEvent) => {
    record(type, true);
    if (o.blockCopyPaste) {
      e.preventDefault();
      o.notify('Copy, cut and paste are turned off for this exam.');
    }
  };
  const onCopy = clipboard('copy');
  const onCut = clipboard('cut');
  const onPaste = clipboard('paste');

  const onContextMenu = (e: MouseEvent) => {
    record('context_menu', true);
    if (o.blockCopyPaste) e.preventDefault();
  };

  let wasFullscreen = document.fullscreenElement !== null;
  const onFullscreen = () => {
    const now = document.fullscreenElement !== null;
    if (wasFullscreen && !now && o.requireFullscreen) record('fullscreen_exit');
    wasFullscreen = now;
    o.onFullscreenChange(now);
  };

  const onOffline = () => {
    if (!o.queue.findHeld('offline')) o.queue.add('offline', { held: true });
  };
  const onOnline = () => {
    o.queue.releaseHeld((s) => s.type === 'offline', Date.now());
    o.flush();
  };

  document.addEventListener('visibilitychange', onVisibility);
  window.addEventListener('blur', onBlur);
  document.addEventListener('copy', onCopy);
  document.addEventListener('cut', onCut);
  document.addEventListener('paste', onPaste);
  document.addEventListener('contextmenu', onContextMenu);
  document.addEventListener('fullscreenchange', onFullscreen);
  window.addEventListener('offline', onOffline);
  window.addEventListener('online', onOnline);

  return () => {
    for (const t of timers) clearTimeout(t);
    document.removeEventListener('visibilitychange', onVisibility);
    window.removeEventListener('blur', onBlur);
    document.removeEventListener('copy', onCopy);
    document.removeEventListener('cut', onCut);
    document.removeEventListener('paste', onPaste);
    document.removeEventListener('contextmenu', onContextMenu);
    document.removeEventListener('fullscreenchange', onFullscreen);
    window.removeEventListener('offline', onOffline);
    window.removeEventListener('online', onOnline);
  };
}
