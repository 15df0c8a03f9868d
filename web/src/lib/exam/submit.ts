// Submitting: first every waiting save must land (the outbox drains), then the submit
// itself. A save the server holds back (paused, time up) stops the submit with the reason.
import type { ClientAck } from '@exam-hall/protocol';
import { request, unanswered } from '../socket-request.ts';
import type { AnswerSender } from './answers.ts';
import type { ExamContext } from './state.ts';

/** How often the drain is looked at. */
const DRAIN_POLL_MS = 150;

/** Waits for the outbox to drain, then submits; `done` gets the server's answer. */
export async function submitAttempt(
  ctx: ExamContext,
  answers: AnswerSender,
  done: (ack: ClientAck<'attempt:submit'>) => void,
): Promise<void> {
  const { socket, state } = ctx;
  if (!socket || state.submitStage !== 'idle' || state.ending) return;
  state.submitProblem = '';
  state.submitStage = 'draining';
  answers.flush();
  while (!state.ending && (ctx.outbox.size > 0 || answers.inFlight > 0)) {
    if (state.saveProblem && answers.inFlight === 0 && state.connected) {
      state.submitStage = 'idle';
      state.submitProblem = `Not submitted yet: ${state.saveProblem}`;
      return;
    }
    await new Promise((r) => setTimeout(r, DRAIN_POLL_MS));
  }
  if (state.ending) return;
  state.submitStage = 'sending';
  const reply = await request(socket, 'attempt:submit', { attemptId: ctx.attemptId });
  state.submitStage = 'idle';
  if (reply.ok) {
    done(reply.data);
    return;
  }
  if (state.ending) return;
  state.submitProblem = unanswered(reply)
    ? 'Your exam was not submitted: the connection dropped. When you are back online, submit again.'
    : `Your exam was not submitted: ${reply.error.message}`;
}
