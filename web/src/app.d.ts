import type { PublicUser } from '@exam-hall/protocol';

declare global {
  namespace App {
    interface PageData {
      /** Set by the (app) layout for signed-in pages; the header reads it. */
      user?: PublicUser;
    }
    interface PageState {
      /** A sentence for the next page's status region, e.g. "Exam created." */
      flash?: string;
    }
  }
}

export {};
