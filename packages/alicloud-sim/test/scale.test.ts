import { afterAll, beforeAll, expect, test } from 'vitest';
import { generatedIds, parseFleet, startCloudSimulator, type CloudSimulator, type GenerateSpec } from '../src/index.js';
import { describeRoles, ecsClient } from './helpers.js';

/**
 * A 50,000-instance fleet: loads from a `generate` entry and is fully described with
 * DescribeInstanceRamRole at 50 IDs a call (1,000 calls through the real SDK). The rate is
 * printed for the record; nothing here asserts on time.
 */

const GENERATE: GenerateSpec = { count: 50_000, idPrefix: 'i-gen', network: 'vpc', vpcId: 'vpc-bp1big', tags: { fleet: 'big' } };
const FLEET = `
accessKeys:
  - {id: LTAI5tOperator, secret: operator-secret, allow: ["ecs:Describe*", "ecs:AttachInstanceRamRole", "ecs:DetachInstanceRamRole", "ram:PassRole"]}
roles:
  - {name: EcsRamRoleDocumentTesting, trustedServices: [ecs.aliyuncs.com], allow: ["oss:Get*", "oss:List*"]}
regions:
  - id: cn-hangzhou
    generate:
      - {count: ${GENERATE.count}, idPrefix: ${GENERATE.idPrefix}, network: vpc, vpcId: vpc-bp1big, tags: {fleet: big}}
`;

let sim: CloudSimulator;

beforeAll(async () => {
  const started = performance.now();
  sim = await startCloudSimulator({ fleet: parseFleet(FLEET) });
  console.log(`50,000-instance fleet parsed, validated and loaded in ${(performance.now() - started).toFixed(0)} ms`);
});
afterAll(async () => {
  await sim.close();
});

test('every one of 50,000 instances is described with DescribeInstanceRamRole, 50 per call', async () => {
  const ids = generatedIds(GENERATE);
  expect(ids[0]).toBe('i-gen00001');
  expect(ids.at(-1)).toBe('i-gen50000');
  expect(sim.state.instanceCount()).toBe(50_000);
  // Every 7th instance carries the role, so the answers are not all alike.
  for (let i = 0; i < ids.length; i += 7) sim.state.setInstanceRole(ids[i]!, 'EcsRamRoleDocumentTesting');

  const ecs = ecsClient(sim);
  const seen = new Map<string, string>();
  const started = performance.now();
  const concurrency = 4;
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < ids.length) {
        const batch = ids.slice(next, next + 50);
        next += 50;
        const body = await describeRoles(ecs, { instanceIds: batch, pageSize: 50 });
        expect(body.totalCount).toBe(batch.length);
        for (const s of body.instanceRamRoleSets!.instanceRamRoleSet!) seen.set(s.instanceId!, s.ramRoleName!);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  console.log(`DescribeInstanceRamRole over 50,000 instances: 1,000 calls in ${seconds.toFixed(2)} s = ${(1000 / seconds).toFixed(0)} calls/s, ${(50_000 / seconds).toFixed(0)} instances/s (SDK client and simulator sharing one process)`);
  const serverMs = sim.calls.entries('DescribeInstanceRamRole').reduce((sum, c) => sum + c.durationMs, 0);
  console.log(`  of which the simulator itself spent ${serverMs.toFixed(0)} ms (${(serverMs / 1000).toFixed(3)} ms a call, ${((50_000 / serverMs) * 1000).toFixed(0)} instances/s of simulator time); the rest is the SDK (signing, HTTP) and the shared CPU`);
  expect(seen.size).toBe(50_000);
  expect([...seen.values()].filter((r) => r === 'EcsRamRoleDocumentTesting')).toHaveLength(Math.ceil(50_000 / 7));
  expect(sim.calls.entries('DescribeInstanceRamRole')).toHaveLength(1000);
});

test('the role index pages through the 7,143 carriers by RamRoleName without scanning the fleet per call', async () => {
  const ecs = ecsClient(sim);
  let total = 0;
  let page = 1;
  for (;;) {
    const body = await describeRoles(ecs, { ramRoleName: 'EcsRamRoleDocumentTesting', pageSize: 50, pageNumber: page++ });
    const sets = body.instanceRamRoleSets!.instanceRamRoleSet!;
    if (sets.length === 0) break;
    total += sets.length;
  }
  expect(total).toBe(Math.ceil(50_000 / 7));
});
