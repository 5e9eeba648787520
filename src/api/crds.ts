/**
 * The CustomResourceDefinitions of this operator, built from the schemas in this folder. crds/
 * holds their YAML (`make crds` writes it; a test keeps it equal to this), `ecs-role-operator
 * crds` prints it, and deploy/ installs crds/ through kustomize.
 */
import { type TSchema, Type } from '@sinclair/typebox';
import { stringify } from 'yaml';
import { API_GROUP, API_VERSION } from './group.js';
import {
  INSTANCE_ROLE_BINDING_DESCRIPTION,
  InstanceRoleBindingSpecSchema,
  InstanceRoleBindingStatusSchema,
  KIND,
  PLURAL,
  SHORT_NAME,
  SINGULAR,
} from './instance-role-binding.js';
import {
  INSTANCE_ROLE_POLICY_DESCRIPTION,
  InstanceRolePolicySpecSchema,
  InstanceRolePolicyStatusSchema,
  POLICY_KIND,
  POLICY_PLURAL,
  POLICY_SHORT_NAME,
  POLICY_SINGULAR,
} from './instance-role-policy.js';

export interface PrinterColumn {
  name: string;
  type: 'string' | 'integer' | 'number' | 'boolean' | 'date';
  jsonPath: string;
  description?: string;
  /** 1: shown only with -o wide. */
  priority?: number;
}

export interface CustomResourceDefinition {
  apiVersion: 'apiextensions.k8s.io/v1';
  kind: 'CustomResourceDefinition';
  metadata: { name: string };
  spec: Record<string, unknown>;
}

interface KindDefinition {
  kind: string;
  plural: string;
  singular: string;
  shortName: string;
  scope: 'Namespaced' | 'Cluster';
  description: string;
  spec: TSchema;
  status: TSchema;
  columns: PrinterColumn[];
}

const readyColumns: PrinterColumn[] = [
  { name: 'Ready', type: 'string', jsonPath: '.status.conditions[?(@.type=="Ready")].status' },
  { name: 'Reason', type: 'string', jsonPath: '.status.conditions[?(@.type=="Ready")].reason' },
];
const ageColumn: PrinterColumn = { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' };

const KINDS: readonly KindDefinition[] = [
  {
    kind: KIND,
    plural: PLURAL,
    singular: SINGULAR,
    shortName: SHORT_NAME,
    scope: 'Namespaced',
    description: INSTANCE_ROLE_BINDING_DESCRIPTION,
    spec: InstanceRoleBindingSpecSchema,
    status: InstanceRoleBindingStatusSchema,
    columns: [
      { name: 'Role', type: 'string', jsonPath: '.spec.roleName' },
      { name: 'Region', type: 'string', jsonPath: '.spec.regionId' },
      { name: 'Bound', type: 'integer', jsonPath: '.status.summary.bound' },
      { name: 'Desired', type: 'integer', jsonPath: '.status.summary.desired' },
      ...readyColumns,
      { name: 'Mode', type: 'string', jsonPath: '.spec.mode', priority: 1 },
      { name: 'Conflicts', type: 'integer', jsonPath: '.status.summary.conflicts', priority: 1 },
      { name: 'Errors', type: 'integer', jsonPath: '.status.summary.errors', priority: 1 },
      { name: 'Last-Sync', type: 'date', jsonPath: '.status.lastSyncTime', priority: 1 },
      ageColumn,
    ],
  },
  {
    kind: POLICY_KIND,
    plural: POLICY_PLURAL,
    singular: POLICY_SINGULAR,
    shortName: POLICY_SHORT_NAME,
    scope: 'Cluster',
    description: INSTANCE_ROLE_POLICY_DESCRIPTION,
    spec: InstanceRolePolicySpecSchema,
    status: InstanceRolePolicyStatusSchema,
    columns: [
      { name: 'Namespaces', type: 'string', jsonPath: '.spec.namespaces' },
      { name: 'Roles', type: 'string', jsonPath: '.spec.roles' },
      { name: 'Permitted', type: 'integer', jsonPath: '.status.permittedBindings' },
      ...readyColumns,
      { name: 'Takeover', type: 'boolean', jsonPath: '.spec.allowTakeover', priority: 1 },
      ageColumn,
    ],
  },
];

function crdOf(def: KindDefinition): CustomResourceDefinition {
  const root = Type.Object(
    {
      apiVersion: Type.Optional(Type.String({ description: 'APIVersion defines the versioned schema of this representation of an object.' })),
      kind: Type.Optional(Type.String({ description: 'Kind is a string value representing the REST resource this object represents.' })),
      metadata: Type.Optional(Type.Unsafe<Record<string, unknown>>({ type: 'object' })),
      spec: def.spec,
      status: Type.Optional(def.status),
    },
    { description: def.description },
  );
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${def.plural}.${API_GROUP}` },
    spec: {
      group: API_GROUP,
      scope: def.scope,
      names: { kind: def.kind, listKind: `${def.kind}List`, plural: def.plural, singular: def.singular, shortNames: [def.shortName], categories: ['ecs'] },
      versions: [
        {
          name: API_VERSION,
          served: true,
          storage: true,
          subresources: { status: {} },
          additionalPrinterColumns: def.columns,
          schema: { openAPIV3Schema: plainSchema(root) },
        },
      ],
    },
  };
}

/** The JSON Schema without TypeBox's symbol-keyed bookkeeping. */
function plainSchema(schema: TSchema): unknown {
  return JSON.parse(JSON.stringify(schema)) as unknown;
}

export function customResourceDefinitions(): CustomResourceDefinition[] {
  return KINDS.map(crdOf);
}

/** File name in crds/ for a CRD: <plural>.<group>.yaml */
export function crdFileName(crd: CustomResourceDefinition): string {
  return `${crd.metadata.name}.yaml`;
}

export const GENERATED_HEADER = '# Generated from src/api by `make crds` (ecs-role-operator crds). Do not edit: change the schema in src/api.\n';

export function crdYaml(crd: CustomResourceDefinition): string {
  return GENERATED_HEADER + stringify(crd, { lineWidth: 0 });
}
