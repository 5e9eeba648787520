import { afterAll, beforeAll, expect, test } from 'vitest';
import type { CloudSimulator, RolelessReport } from '../src/index.js';
import { attach, detach, ecsClient, sim as control, startSample, type Ecs } from './helpers.js';

/**
 * Issue 14 item 1 (simulator side): per instance, when it lost its role and when it got the next
 * one, through the API and out-of-band drift, in GET /sim/roleless and in-process.
 */

let sim: CloudSimulator;
let ecs: Ecs;

beforeAll(async () => {
  sim = await startSample();
  ecs = ecsClient(sim);
});
afterAll(async () => {
  await sim.close();
});

const report = async (query = ''): Promise<RolelessReport> => (await control(sim, 'GET', `/roleless${query}`)).json as RolelessReport;

test('detach then attach (a role change) is one closed window from the old role to the new one', async () => {
  await detach(ecs, ['i-bp1api0001'], 'EcsRamRoleDocumentTesting');
  let open = await report();
  expect(open.windows).toEqual([expect.objectContaining({ instanceId: 'i-bp1api0001', roleBefore: 'EcsRamRoleDocumentTesting', regainedAt: null, roleAfter: null, durationMs: null })]);
  expect(open.summary).toMatchObject({ count: 0, currentlyRoleless: 1 });
  expect(open.summary.longestOpenMs).toBeGreaterThanOrEqual(0);

  await attach(ecs, 'EcsRamRoleLogShipper', ['i-bp1api0001']);
  open = await report();
  const [w] = open.windows;
  expect(w).toMatchObject({ instanceId: 'i-bp1api0001', roleBefore: 'EcsRamRoleDocumentTesting', roleAfter: 'EcsRamRoleLogShipper', releasedAt: null });
  expect(Date.parse(w!.regainedAt!)).toBeGreaterThanOrEqual(Date.parse(w!.lostAt));
  expect(w!.durationMs).toBe(Date.parse(w!.regainedAt!) - Date.parse(w!.lostAt));
  expect(open.summary).toMatchObject({ count: 1, currentlyRoleless: 0, p50Ms: w!.durationMs, p99Ms: w!.durationMs, maxMs: w!.durationMs });
});

test('out-of-band drift (PUT /sim/instances/{id}/role) is recorded too; a first attach is no window', async () => {
  await attach(ecs, 'EcsRamRoleDocumentTesting', ['i-bp1web0001']);
  await control(sim, 'PUT', '/instances/i-bp1web0001/role', { roleName: null });
  const drifted = await report('?instanceId=i-bp1web0001');
  expect(drifted.windows).toEqual([expect.objectContaining({ instanceId: 'i-bp1web0001', roleBefore: 'EcsRamRoleDocumentTesting', regainedAt: null })]);
  expect(drifted.summary.currentlyRoleless).toBe(1);
  // The in-process API answers the same, without HTTP.
  expect(sim.roleless('i-bp1web0001').windows).toEqual(drifted.windows);
  expect(sim.state.roleless.report().summary).toMatchObject({ count: 1, currentlyRoleless: 1, trackedInstances: 2 });
});

test('DELETE /sim/roleless resets; other methods are refused', async () => {
  expect((await control(sim, 'DELETE', '/roleless')).status).toBe(204);
  expect(await report()).toEqual({
    windows: [],
    summary: { count: 0, p50Ms: null, p99Ms: null, maxMs: null, currentlyRoleless: 0, longestOpenMs: null, trackedInstances: 0, evictedInstances: 0, droppedWindows: 0 },
  });
  expect((await control(sim, 'POST', '/roleless', {})).status).toBe(405);
});
