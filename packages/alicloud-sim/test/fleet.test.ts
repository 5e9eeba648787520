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
    // Policy documents are validated the way RAM validates them, naming the bad element.
    [BASE.replace('allow: ["*"]', 'policy: {Statement: [{Effect: Allow, Action: "ecs:*", Resource: "*"}]}'), 'accessKeys[0].policy: Version must be the string "1"'],
    [BASE.replace('allow: ["*"]', 'policy: {Version: "1", Statement: [{Effect: Allow, Action: "ecs:*"}]}'), 'accessKeys[0].policy: Statement[0].Resource is missing'],
    [BASE.replace('allow: ["*"]', 'policy: {Version: "1", Statement: [{Effect: Allow, Action: "ecs:*", Resource: "*", Condition: {IpRange: {"acs:SourceIp": "1.2.3.4"}}}]}'), 'accessKeys[0].policy: Statement[0].Condition.IpRange is not a RAM condition operator'],
    [BASE.replace('allow: ["*"]', 'policy: {Version: "1", Statement: [{Effect: Allow, Action: "ecs:*", Resource: "i-1"}]}'), 'accessKeys[0].policy: Statement[0].Resource "i-1" must be "*" or an ARN starting with "acs:"'],
    [BASE.replace('allow: ["*"]', 'policy: {Version: "1", Statement: [{Effect: Allow, Action: "ecs:*", NotAction: "ram:*", Resource: "*"}]}'), 'accessKeys[0].policy: Statement[0] gives both Action and NotAction'],
    [BASE.replace('allow: ["*"]', 'policy: {Version: "1", Statement: [{Effect: Allow, Action: "ecs:*", Resource: "*", Condition: {DateLessThan: {"acs:CurrentTime": soon}}}]}'), 'accessKeys[0].policy: Statement[0].Condition.DateLessThan.acs:CurrentTime DateLessThan needs ISO 8601 dates'],
    [BASE.replace('allow: ["*"]', 'allow: ["ecs Describe"]'), 'accessKeys[0].allow: Statement[0].Action "ecs Describe" must be "*" or "<service>:<action>"'],
    [BASE.replace('allow: ["*"]', 'policies: [NoSuchPolicy]'), 'accessKeys[0].policies[0]: policy "NoSuchPolicy" is neither declared under policies nor a known System policy'],
    [`${BASE}policies:\n  - {name: P, document: {Version: "1", Statement: [{Effect: Allow, Action: "*", Resource: "*"}]}}\n  - {name: p, document: '{"Version":"1","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}'}\n`, 'policies[1].name: duplicate policy name "p"'],
    [`${BASE}policies:\n  - {name: P, document: {Version: "1", Statement: [{Effect: Allow, Action: "*", Resource: ["acs:ecs:*:*:instance/${'x'.repeat(6200)}"]}]}}\n`, 'policies[0].document: is 6'],
    [BASE.replace('trustedServices: [ecs.aliyuncs.com]', 'assumeRolePolicyDocument: {Version: "1", Statement: [{Effect: Allow, Action: "sts:AssumeRole", Resource: "*"}]}'), 'roles[0].assumeRolePolicyDocument: Statement[0].Resource is not a field of a trust policy statement'],
    [BASE.replace('{id: i-1, network: vpc, vpcId: vpc-1}', '{id: i-1, network: vpc, vpcId: vpc-1, metadataTokens: always}'), 'regions[0].instances[0].metadataTokens: must be one of optional, required'],
  ])('rejects a bad fleet naming the field (%#)', (yaml, expected) => {
    expect(errorOf(yaml)).toContain(expected);
  });

  test('access keys and roles carry policy documents (mappings or JSON text) and policies by name; instances a metadata mode', () => {
    const fleet = parseFleet(`
policies:
  - name: ScopedAttach
    description: attach on web instances only
    document:
      Version: "1"
      Statement:
        - {Effect: Allow, Action: [ecs:AttachInstanceRamRole], Resource: "acs:ecs:*:*:instance/i-web*"}
accessKeys:
  - id: LTAI5tA
    secret: s
    allow: ["ecs:Describe*"]
    policy: '{"Version":"1","Statement":[{"Effect":"Deny","Action":"ram:*","Resource":"*","Condition":{"IpAddress":{"acs:SourceIp":"10.0.0.0/8"}}}]}'
    policies: [ScopedAttach, AliyunRAMReadOnlyAccess]
roles:
  - {name: R1, trustedServices: [ecs.aliyuncs.com], policies: [ScopedAttach, AliyunOSSReadOnlyAccess]}
regions:
  - id: cn-hangzhou
    instances:
      - {id: i-1, network: vpc, vpcId: vpc-1, metadataTokens: required}
`);
    expect(JSON.parse(fleet.policies![0]!.document)).toMatchObject({ Version: '1', Statement: [{ Effect: 'Allow', Resource: 'acs:ecs:*:*:instance/i-web*' }] });
    expect(fleet.accessKeys[0]).toMatchObject({ allow: ['ecs:Describe*'], policies: ['ScopedAttach', 'AliyunRAMReadOnlyAccess'] });
    expect(JSON.parse(fleet.accessKeys[0]!.policy!).Statement[0].Effect).toBe('Deny');
    expect(fleet.roles[0]!.policies).toEqual(['ScopedAttach', 'AliyunOSSReadOnlyAccess']);
    expect(fleet.regions[0]!.instances![0]!.metadataTokens).toBe('required');
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
