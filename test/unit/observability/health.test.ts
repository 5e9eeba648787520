import { describe, expect, it } from 'vitest';
import { OperatorHealth } from '../../../src/observability/health.js';

function harness(opts: { leaderElection: boolean }) {
  const state = { leader: false, synced: false, cloudError: undefined as string | undefined, probes: 0, clock: 0 };
  const health = new OperatorHealth({
    leaderElection: opts.leaderElection,
    isLeader: () => state.leader,
    cacheSynced: () => state.synced,
    probeCloud: async () => {
      state.probes++;
      if (state.cloudError) throw new Error(state.cloudError);
    },
    cloudProbeTtlMs: 1000,
    now: () => state.clock,
  });
  return { health, state };
}

describe('OperatorHealth', () => {
  it('keeps a standby replica ready without touching the cloud', async () => {
    const { health, state } = harness({ leaderElection: true });
    expect(await health.readiness()).toEqual({ ready: true, reason: 'standby: waiting for the leader lease' });
    expect(state.probes).toBe(0);
  });

  it('makes the leader ready only once the cache synced and the cloud answers', async () => {
    const { health, state } = harness({ leaderElection: true });
    state.leader = true;
    expect(await health.readiness()).toEqual({ ready: false, reason: 'binding cache not synced yet' });
    state.synced = true;
    state.cloudError = 'InvalidAccessKeyId.NotFound: Specified access key is not found.';
    expect(await health.readiness()).toEqual({
      ready: false,
      reason: 'cloud API unreachable: InvalidAccessKeyId.NotFound: Specified access key is not found.',
    });
    // The probe result is reused within its TTL...
    state.cloudError = undefined;
    expect((await health.readiness()).ready).toBe(false);
    expect(state.probes).toBe(1);
    // ...and refreshed after it.
    state.clock = 1000;
    expect(await health.readiness()).toEqual({ ready: true, reason: 'leader: cache synced, cloud reachable' });
    expect(state.probes).toBe(2);
  });

  it('checks cache and cloud directly without leader election', async () => {
    const { health, state } = harness({ leaderElection: false });
    state.synced = true;
    expect(await health.readiness()).toEqual({ ready: true, reason: 'cache synced, cloud reachable' });
  });

  it('fails liveness and readiness after a fatal condition, keeping the first reason', async () => {
    const { health } = harness({ leaderElection: false });
    expect(health.liveness()).toEqual({ alive: true, reason: 'process running' });
    health.markFatal('binding watch cannot be restarted');
    health.markFatal('second');
    expect(health.liveness()).toEqual({ alive: false, reason: 'binding watch cannot be restarted' });
    expect(await health.readiness()).toEqual({ ready: false, reason: 'binding watch cannot be restarted' });
  });
});
