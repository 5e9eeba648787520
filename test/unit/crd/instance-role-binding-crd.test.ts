// The project's own CRD (crds/instancerolebindings.roles.ecs.dev.yaml) through the schema
// module, as the emulator will serve it: it must compile, default, prune and validate
// InstanceRoleBinding objects the way a real API server would.

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import { compileSchema, unknownSchemaFields } from '@ecs-role-operator/kube-emulator/schema';

interface CrdDocument {
  spec: { versions: { name: string; schema: { openAPIV3Schema: Record<string, unknown> } }[] };
}

const crdPath = fileURLToPath(new URL('../../../crds/instancerolebindings.roles.ecs.dev.yaml', import.meta.url));
const crd = parse(readFileSync(crdPath, 'utf8')) as CrdDocument;
const version = crd.spec.versions.find((candidate) => candidate.name === 'v1alpha1');
if (version === undefined) throw new Error(`${crdPath} has no v1alpha1 version`);
const openAPIV3Schema = version.schema.openAPIV3Schema;
const schema = compileSchema(openAPIV3Schema);

function binding(spec: Record<string, unknown>, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    apiVersion: 'roles.ecs.dev/v1alpha1',
    kind: 'InstanceRoleBinding',
    metadata: { name: 'oss-readers', namespace: 'platform' },
    spec,
    ...extra,
  };
}

/** What the API server does on create: prune, default, validate. */
function admit(object: Record<string, unknown>, old?: Record<string, unknown>) {
  const pruned = schema.prune(object);
  schema.applyDefaults(object);
  return { pruned, causes: schema.validate(object, old) };
}

const validSpec = { regionId: 'cn-hangzhou', roleName: 'EcsRamRoleDocumentTesting', instanceIds: ['i-bp1abc', 'i-bp1def'] };

describe('InstanceRoleBinding CRD schema', () => {
  it('has no fields the API server would drop, or reject under strict field validation (quote YAML descriptions containing ", ")', () => {
    expect(unknownSchemaFields(openAPIV3Schema)).toEqual([]);
  });

  it('accepts the DESIGN.md example and fills the documented defaults', () => {
    const object = binding({ ...validSpec, instanceSelector: { tags: { app: 'web' }, vpcId: 'vpc-bp1xyz' }, resyncPeriod: '5m' });
    expect(admit(object)).toEqual({ pruned: [], causes: [] });
    expect(object['spec']).toEqual({
      ...validSpec,
      instanceSelector: { tags: { app: 'web' }, vpcId: 'vpc-bp1xyz' },
      resyncPeriod: '5m',
      deletionPolicy: 'Detach',
      mode: 'Enforce',
      takeover: false,
      suspend: false,
    });
  });

  it('accepts every InstanceRoleBinding shipped in deploy/examples', () => {
    const examplesDir = fileURLToPath(new URL('../../../deploy/examples/', import.meta.url));
    const examples = readdirSync(examplesDir)
      .filter((file) => /\.ya?ml$/.test(file))
      .flatMap((file) => parseAllDocuments(readFileSync(join(examplesDir, file), 'utf8')).map((document) => document.toJS() as Record<string, unknown> | null))
      .filter((document): document is Record<string, unknown> => document?.['kind'] === 'InstanceRoleBinding');
    expect(examples.length).toBeGreaterThan(0);
    for (const example of examples) expect(admit(example)).toEqual({ pruned: [], causes: [] });
  });

  it('prunes fields the CRD does not declare', () => {
    const object = binding({ ...validSpec, roleARN: 'acs:ram::1:role/x' }, { extra: true });
    expect(admit(object).pruned).toEqual(['.extra', '.spec.roleARN']);
  });

  it('requires spec, regionId and roleName', () => {
    expect(admit(binding({ instanceIds: ['i-a'] })).causes).toEqual([
      { reason: 'FieldValueRequired', field: 'spec.regionId', message: 'Required value' },
      { reason: 'FieldValueRequired', field: 'spec.roleName', message: 'Required value' },
      expect.objectContaining({ field: '<nil>', message: expect.stringContaining('some validation rules were not checked') }),
    ]);
    const noSpec = binding({});
    delete noSpec['spec'];
    expect(admit(noSpec).causes).toContainEqual({ reason: 'FieldValueRequired', field: 'spec', message: 'Required value' });
  });

  it('rejects a role name that RAM would not accept, with the real server message', () => {
    expect(admit(binding({ ...validSpec, roleName: 'bad name' })).causes).toEqual([
      { reason: 'FieldValueInvalid', field: 'spec.roleName', message: `Invalid value: "bad name": spec.roleName in body should match '^[A-Za-z0-9.-]{1,64}$'` },
    ]);
  });

  it('rejects malformed and repeated instance IDs at their index', () => {
    expect(admit(binding({ ...validSpec, instanceIds: ['i-bp1abc', 'web-1', 'i-bp1abc'] })).causes).toEqual([
      { reason: 'FieldValueInvalid', field: 'spec.instanceIds[1]', message: `Invalid value: "web-1": spec.instanceIds[1] in body should match '^i-[a-z0-9]{1,64}$'` },
      { reason: 'FieldValueDuplicate', field: 'spec.instanceIds[2]', message: 'Duplicate value: "i-bp1abc"' },
    ]);
  });

  it('needs a non-empty instanceIds or an instanceSelector (CEL rule with reason FieldValueRequired)', () => {
    const required = [
      { reason: 'FieldValueRequired', field: 'spec', message: 'Required value: name the instances: set spec.instanceIds (at least one ID), spec.instanceSelector, or both' },
    ];
    expect(admit(binding({ regionId: 'cn-hangzhou', roleName: 'R' })).causes).toEqual(required);
    // An edit to an empty list is rejected too: a binding that targets nothing is never stored.
    expect(admit(binding({ regionId: 'cn-hangzhou', roleName: 'R', instanceIds: [] })).causes).toEqual(required);
    expect(admit(binding({ regionId: 'cn-hangzhou', roleName: 'R', instanceSelector: { vpcId: 'vpc-bp1xyz' } })).causes).toEqual([]);
    expect(admit(binding({ regionId: 'cn-hangzhou', roleName: 'R', instanceIds: [], instanceSelector: { vpcId: 'vpc-bp1xyz' } })).causes).toEqual([]);
  });

  it('caps selector tag keys at 128 characters, as ECS does', () => {
    const tags = (key: string) => binding({ regionId: 'cn-hangzhou', roleName: 'R', instanceSelector: { tags: { [key]: 'v' } } });
    expect(admit(tags('k'.repeat(128))).causes).toEqual([]);
    expect(admit(tags('k'.repeat(200))).causes).toEqual([
      { reason: 'FieldValueInvalid', field: 'spec.instanceSelector.tags', message: 'Invalid value: "object": tag keys must be 1-128 characters (the ECS limit)' },
    ]);
  });

  it('rejects an empty instanceSelector', () => {
    expect(admit(binding({ regionId: 'cn-hangzhou', roleName: 'R', instanceSelector: {} })).causes).toEqual([
      {
        reason: 'FieldValueInvalid',
        field: 'spec.instanceSelector',
        message: 'Invalid value: "object": instanceSelector needs tags, vpcId or both; an empty selector would match nothing',
      },
    ]);
  });

  it('limits selector tags to 20 and validates the VPC ID', () => {
    const tags = Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`k${i}`, 'v']));
    expect(admit(binding({ regionId: 'cn-hangzhou', roleName: 'R', instanceSelector: { tags, vpcId: 'vpc_1' } })).causes).toEqual([
      { reason: 'FieldValueTooMany', field: 'spec.instanceSelector.tags', message: 'Too many: 21: must have at most 20 items' },
      { reason: 'FieldValueInvalid', field: 'spec.instanceSelector.vpcId', message: `Invalid value: "vpc_1": spec.instanceSelector.vpcId in body should match '^vpc-[a-z0-9]+$'` },
      expect.objectContaining({ field: '<nil>' }),
    ]);
  });

  it('lists the supported deletionPolicy and mode values', () => {
    const causes = admit(binding({ ...validSpec, deletionPolicy: 'Delete', mode: 'DryRun' })).causes;
    expect(causes.slice(0, 2)).toEqual([
      { reason: 'FieldValueNotSupported', field: 'spec.deletionPolicy', message: 'Unsupported value: "Delete": supported values: "Detach", "Orphan"' },
      { reason: 'FieldValueNotSupported', field: 'spec.mode', message: 'Unsupported value: "DryRun": supported values: "Enforce", "Observe"' },
    ]);
  });

  it('accepts Go-style durations for resyncPeriod and rejects prose', () => {
    expect(admit(binding({ ...validSpec, resyncPeriod: '1h30m' })).causes).toEqual([]);
    expect(admit(binding({ ...validSpec, resyncPeriod: '90s' })).causes).toEqual([]);
    expect(admit(binding({ ...validSpec, resyncPeriod: '5 minutes' })).causes).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ reason: 'FieldValueInvalid', field: 'spec.resyncPeriod', message: expect.stringContaining('Invalid value: "5 minutes": spec.resyncPeriod in body should match') }),
      ]),
    );
  });

  it('enforces the 30s minimum and 24h maximum resyncPeriod with CEL rules', () => {
    expect(admit(binding({ ...validSpec, resyncPeriod: '30s' })).causes).toEqual([]);
    expect(admit(binding({ ...validSpec, resyncPeriod: '24h' })).causes).toEqual([]);
    expect(admit(binding({ ...validSpec, resyncPeriod: '1000h' })).causes).toEqual([
      expect.objectContaining({ reason: 'FieldValueInvalid', field: 'spec.resyncPeriod', message: expect.stringContaining('resyncPeriod must be at most 24h') }),
    ]);
    expect(admit(binding({ ...validSpec, resyncPeriod: '10s' })).causes).toEqual([
      expect.objectContaining({ reason: 'FieldValueInvalid', field: 'spec.resyncPeriod', message: expect.stringContaining('resyncPeriod must be at least 30s') }),
    ]);
  });

  it('keeps regionId immutable on update and lets other fields change', () => {
    const stored = binding({ ...validSpec });
    admit(stored);
    const roleChange = structuredClone(stored);
    (roleChange['spec'] as Record<string, unknown>)['roleName'] = 'OtherRole';
    expect(admit(roleChange, stored).causes).toEqual([]);
    const regionChange = structuredClone(stored);
    (regionChange['spec'] as Record<string, unknown>)['regionId'] = 'cn-beijing';
    expect(admit(regionChange, stored).causes).toEqual([
      {
        reason: 'FieldValueInvalid',
        field: 'spec.regionId',
        message: 'Invalid value: "string": regionId is immutable; create a new InstanceRoleBinding for another region',
      },
    ]);
  });

  it('validates the status the controller writes', () => {
    const condition = { type: 'Ready', status: 'True', reason: 'AllInstancesBound', message: 'ok', lastTransitionTime: '2026-11-23T10:00:00Z', observedGeneration: 1 };
    const good = binding(validSpec, {
      status: {
        observedGeneration: 1,
        conditions: [condition, { ...condition, type: 'Reconciling', status: 'False' }],
        summary: { desired: 2, bound: 1, conflicts: 1, errors: 0 },
        instances: [{ instanceId: 'i-bp1abc', state: 'Bound', observedRole: 'EcsRamRoleDocumentTesting' }, { instanceId: 'i-bp1def', state: 'Conflict', observedRole: 'Other', message: 'owned by another role' }],
        lastSyncTime: '2026-11-23T10:00:00Z',
      },
    });
    expect(admit(good).causes).toEqual([]);
    const bad = binding(validSpec, {
      status: {
        conditions: [condition, { ...condition, status: 'Maybe', lastTransitionTime: 'now' }],
        instances: [{ instanceId: 'i-bp1abc', state: 'Attached' }],
      },
    });
    expect(admit(bad).causes).toEqual([
      { reason: 'FieldValueNotSupported', field: 'status.conditions[1].status', message: 'Unsupported value: "Maybe": supported values: "True", "False", "Unknown"' },
      { reason: 'FieldValueTypeInvalid', field: 'status.conditions[1].lastTransitionTime', message: 'Invalid value: "now": status.conditions[1].lastTransitionTime in body must be of type date-time: "now"' },
      expect.objectContaining({ reason: 'FieldValueNotSupported', field: 'status.instances[0].state', message: expect.stringContaining('Unsupported value: "Attached": supported values: "Bound", "Pending"') }),
      { reason: 'FieldValueDuplicate', field: 'status.conditions[1]', message: 'Duplicate value: map[string]interface {}{"type":"Ready"}' },
      expect.objectContaining({ field: '<nil>' }),
    ]);
  });
});
