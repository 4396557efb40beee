import { describe, expect, it } from 'vitest';
import { connectionState, startWitness } from './connection.ts';

describe('connection state', () => {
  it('lets the newest-started witness that answered decide, whatever order the answers come in', () => {
    startWitness()(true);
    expect(connectionState()).toBe('online');

    // A request sent before the outage answers after one sent during it: still offline.
    const beforeOutage = startWitness();
    const duringOutage = startWitness();
    duringOutage(false);
    expect(connectionState()).toBe('offline');
    beforeOutage(true);
    expect(connectionState()).toBe('offline');

    // A proxy's late 502 to a request sent during the outage does not undo a later one's answer.
    const lateFailure = startWitness();
    const afterRecovery = startWitness();
    afterRecovery(true);
    expect(connectionState()).toBe('online');
    lateFailure(false);
    expect(connectionState()).toBe('online');
  });

  it('still hears an older witness while a newer one has not answered', () => {
    const older = startWitness();
    const hanging = startWitness();
    older(false);
    expect(connectionState()).toBe('offline');
    startWitness()(true);
    expect(connectionState()).toBe('online');
    void hanging; // never answers, like a request stuck behind a dead connection
  });
});
