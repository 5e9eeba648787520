import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { FleetValidationError, loadFleetFile, parseFleet } from '../src/index.js';
import { SAMPLE_FLEET_PATH } from './helpers.js';

/** Fleet file parsing and validation (pure; no network). */

const BASE = `
accessKeys:
  - {id: LTAI5tA, secret: s, allow: ["*"]}
roles:
  - {name: R1, trustedServices: [ecs.aliyuncs.com], allow: ["oss:Get*"]}
regions:
  - id: cn-hangzhou
    instances:
      - {id: i-1, network: vpc, vpcId: vpc-1}
      - {id: i-2, network: vpc, vpcId: vpc-1}
      - {id: i-3, network: classic}
      - {id: i-4, network: vpc, vpcId: vpc-1, ramRole: R1}
`;

function errorOf(yaml: string): string {
  try {
    parseFleet(yaml);
  } catch (err) {
    expect(err).toBeInstanceOf(FleetValidationError);
    return (err as Error).message;
  }
  throw new Error('expected the fleet to be rejected');
}

describe('parseFleet', () => {
  test('the sample fleet loads with the seeds', () => {
    const fleet = loadFleetFile(SAMPLE_FLEET_PATH);
    expect(fleet.accessKeys.map((k) => k.id)).toEqual(['LTAI5tOperator', 'LTAI5tAuditor', 'LTAI5tAdmin']);
    expect(fleet.roles.map((r) => r.name)).toContain('EcsRamRoleDocumentTesting');
    const hangzhou = fleet.regions.find((r) => r.id === 'cn-hangzhou')!;
    expect(hangzhou.instances!.some((i) => i.network === 'classic')).toBe(true);
    expect(hangzhou.instances!.filter((i) => i.tags?.['app'] === 'web').length).toBeGreaterThanOrEqual(3);
    expect(hangzhou.instances!.some((i) => i.ramRole)).toBe(true);
  });

  test('a valid fleet parses, defaults filled by the state later', () => {
    const fleet = parseFleet(BASE);
    expect(fleet.regions[0]!.instances).toHaveLength(4);
    expect(fleet.regions[0]!.instances![3]!.ramRole).toBe('R1');
  });

  test.each([
    [BASE.replace('{id: i-3, network: classic}', '{id: i-3, network: ipv6}'), 'regions[0].instances[2].network: must be "vpc" or "classic"'],
    [BASE.replace('{id: i-2, network: vpc, vpcId: vpc-1}', '{id: i-2, network: vpc}'), 'regions[0].instances[1].vpcId: is required for a VPC instance'],
    [BASE.replace('{id: i-3, network: classic}', '{id: i-3, network: classic, vpcId: vpc-1}'), 'regions[0].instances[2].vpcId: must be absent for a classic-network instance'],
    [BASE.replace('{id: i-3, network: classic}', '{id: i-3, network: classic, ramRole: R1}'), 'regions[0].instances[2].ramRole: a classic-network instance cannot carry a RAM role'],
    [BASE.replace('ramRole: R1}', 'ramRole: Missing}'), 'regions[0].instances[3].ramRole: role "Missing" is not declared under roles'],
    [BASE.replace('{id: i-2,', '{id: i-1,'), 'regions[0].instances[1].id: duplicate instance ID "i-1"'],
    [BASE.replace('{id: i-1, network: vpc, vpcId: vpc-1}', '{id: i-1, network: vpc, vpcId: vpc-1, status: Sleeping}'), 'regions[0].instances[0].status: must be one of Pending, Running, Starting, Stopping, Stopped'],
    [BASE.replace('{id: i-1, network: vpc, vpcId: vpc-1}', '{id: i-1, network: vpc, vpcId: vpc-1, colour: red}'), 'regions[0].instances[0].colour: unknown field (allowed: id, network, vpcId, status, tags, ramRole, zoneId, name, metadataTokens)'],
    [BASE.replace('{id: i-1, network: vpc, vpcId: vpc-1}', '{id: i-1, network: vpc, vpcId: vpc-1, tags: [a]}'), 'regions[0].instances[0].tags: must be a mapping of tag key to value, got a list'],
    [BASE.replace('allow: ["*"]', 'allow: "*"'), 'accessKeys[0].allow: must be a list, got string "*"'],
    [BASE.replace('{id: LTAI5tA, secret: s,', '{id: LTAI5tA,'), 'accessKeys[0].secret: must be a non-empty string, got undefined'],
    [BASE.replace('trustedServices: [ecs.aliyuncs.com], ', ''), 'roles[0].trustedServices: is required (or give assumeRolePolicyDocument)'],
    [BASE.replace('name: R1,', 'name: "bad name",').replace('ramRole: R1', 'ramRole: null'), 'roles[0].name: "bad name" must be 1-64 letters, digits, "." or "-"'],
    [BASE.replace('trustedServices: [ecs.aliyuncs.com]', "assumeRolePolicyDocument: '{nope'"), 'roles[0].assumeRolePolicyDocument: is not valid JSON'],
    [`${BASE}limits:\n  qps: {AttachInstanceRamRole: 0}\n`, 'limits.qps.AttachInstanceRamRole: must be a positive number, got number 0'],
    [`${BASE}limits:\n  qps: {RunInstances: 5}\n`, 'limits.qps.RunInstances: unknown field'],
    [`${BASE}    generate:\n      - {count: 3, idPrefix: i-, network: vpc, vpcId: vpc-1}\n`, 'regions[0].generate[0]: generated instance ID "i-1" is already used'],
    [`${BASE}    generate:\n      - {count: 0, idPrefix: i-g, network: vpc, vpcId: vpc-1}\n`, 'regions[0].generate[0].count: must be an integer from 1 to 1000000, got number 0'],
    ['regions: []', 'regions: at least one region is required'],
    ['regions:\n  - {id: cn-hangzhou}\n  - {id: cn-hangzhou}', 'regions[1].id: duplicate region "cn-hangzhou"'],
    ['regions: [{id: cn-hangzhou', 'fleet is not valid YAML'],
  ])('rejects a bad fleet naming the field (%#)', (yaml, expected) => {
    expect(errorOf(yaml)).toContain(expected);
  });

  test('generate builds zero-padded IDs from idPrefix, start and digits', () => {
    const fleet = parseFleet(`${BASE}    generate:\n      - {count: 3, idPrefix: i-gen, start: 8, digits: 4, network: vpc, vpcId: vpc-2, tags: {fleet: big}}\n`);
    expect(fleet.regions[0]!.generate![0]).toMatchObject({ count: 3, idPrefix: 'i-gen', start: 8, digits: 4, tags: { fleet: 'big' } });
  });

  test('loadFleetFile names the file in its errors', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fleet-'));
    const path = join(dir, 'bad.yaml');
    writeFileSync(path, BASE.replace('{id: i-3, network: classic}', '{id: i-3, network: ipv6}'));
    expect(() => loadFleetFile(path)).toThrow(`regions[0].instances[2].network: must be "vpc" or "classic" (in ${path})`);
    expect(() => loadFleetFile(join(dir, 'missing.yaml'))).toThrow(/cannot read fleet file/);
  });
});
