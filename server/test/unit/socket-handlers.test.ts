// The handler table covers the socket contract exactly: one handler per client event of
// protocol's `clientEvents`, no handler for an event the contract does not declare.
import { describe, expect, it } from 'vitest';
import { clientEvents } from '@exam-hall/protocol';
import { socketHandlers } from '../../src/socket/handlers.ts';

describe('socket handler table', () => {
  it('has exactly the events of the contract', () => {
    // Building the table calls no service: the handlers only close over them.
    const table = socketHandlers({ hall: {}, attemptLive: {}, proctoring: {}, attendance: {} } as never);
    expect(Object.keys(table).sort()).toEqual(Object.keys(clientEvents).sort());
  });
});
