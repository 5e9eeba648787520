/**
 * A fleet and a GitOps-style manifest tree that together produce every audit verdict, plus the
 * simulator and the audit command run in-process.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Command } from 'commander';
import { createAccessKeyCredential } from '../../../src/cloud/credentials.js';
import { registerAuditCommand } from '../../../src/cli/audit-command.js';
import { type CloudSimulator, parseFleet, startCloudSimulator } from '@ecs-role-operator/alicloud-sim';

export const AUDITOR = { id: 'LTAI5tAuditTest', secret: 'audit-test-secret' };
/** May describe instances but not read RAM roles. */
export const NO_RAM = { id: 'LTAI5tNoRam', secret: 'no-ram-secret' };

export const AUDIT_FLEET = `
accessKeys:
  - {id: ${AUDITOR.id}, secret: ${AUDITOR.secret}, allow: ["ecs:Describe*", "ram:GetRole"]}
  - {id: ${NO_RAM.id}, secret: ${NO_RAM.secret}, allow: ["ecs:Describe*"]}
roles:
  - {name: WebRole, trustedServices: [ecs.aliyuncs.com]}
  - {name: ApiRole, trustedServices: [ecs.aliyuncs.com]}
  - {name: StrayRole, trustedServices: [ecs.aliyuncs.com]}
  - name: FcRole
    assumeRolePolicyDocument: '{"Statement":[{"Action":"sts:AssumeRole","Effect":"Allow","Principal":{"Service":"fc.aliyuncs.com"}}],"Version":"1"}'
regions:
  - id: cn-hangzhou
    instances:
      - {id: i-sync1, network: vpc, vpcId: vpc-main, tags: {app: web}, ramRole: WebRole}
      - {id: i-drift1, network: vpc, vpcId: vpc-main, tags: {app: web}}
      - {id: i-drift2, network: vpc, vpcId: vpc-main, tags: {app: web}, ramRole: StrayRole}
      - {id: i-stray1, network: vpc, vpcId: vpc-main, ramRole: StrayRole}
      - {id: i-free1, network: vpc, vpcId: vpc-main}
      - {id: i-conf1, network: vpc, vpcId: vpc-main, ramRole: WebRole}
      - {id: i-fc1, network: vpc, vpcId: vpc-main}
      - {id: i-watch1, network: vpc, vpcId: vpc-main, ramRole: StrayRole}
      - {id: i-classic1, network: classic, tags: {app: web}}
      - {id: i-guest1, network: vpc, vpcId: vpc-main, ramRole: StrayRole}
    generate:
      - {count: 120, idPrefix: i-batch, digits: 3, network: vpc, vpcId: vpc-batch, tags: {app: batch}, ramRole: ApiRole}
  - id: cn-shanghai
    instances:
      - {id: i-sh1, network: vpc, vpcId: vpc-sh, tags: {app: web}, ramRole: WebRole}
      - {id: i-sh2, network: vpc, vpcId: vpc-sh}
`;

/** The fixture's tenancy: the backend namespace's label and the policies that permit platform and backend. */
export const VALID_POLICIES = `
apiVersion: v1
kind: Namespace
metadata: {name: backend, labels: {tier: backend}}
---
apiVersion: roles.ecs.dev/v1alpha1
kind: InstanceRolePolicy
metadata: {name: platform}
spec: {namespaces: [platform], roles: ['*']}
---
apiVersion: roles.ecs.dev/v1alpha1
kind: InstanceRolePolicy
metadata: {name: backend}
spec:
  namespaceSelector: {matchLabels: {tier: backend}}
  roles: ['*Role']
  instances: {regionIds: [cn-hangzhou]}
`;

export const BINDINGS: Record<string, string> = {
  'apps/web/bindings.yaml': `
apiVersion: roles.ecs.dev/v1alpha1
kind: InstanceRoleBinding
metadata: {name: web, namespace: platform, creationTimestamp: "2026-01-01T00:00:00Z"}
spec:
  regionId: cn-hangzhou
  roleName: WebRole
  instanceSelector: {tags: {app: web}}
  instanceIds: [i-conf1, i-missing1]
---
apiVersion: v1
kind: ConfigMap
metadata: {name: unrelated, namespace: platform}
data: {a: b}
---
apiVersion: roles.ecs.dev/v1alpha1
kind: InstanceRoleBinding
metadata: {name: batch, namespace: platform, creationTimestamp: "2026-01-02T00:00:00Z"}
spec:
  regionId: cn-hangzhou
  roleName: ApiRole
  instanceSelector: {tags: {app: batch}, vpcId: vpc-batch}
`,
  'apps/api/list.yaml': `
apiVersion: v1
kind: List
items:
  - apiVersion: roles.ecs.dev/v1alpha1
    kind: InstanceRoleBinding
    metadata: {name: api, namespace: backend, creationTimestamp: "2026-02-01T00:00:00Z"}
    spec: {regionId: cn-hangzhou, roleName: ApiRole, instanceIds: [i-conf1]}
  - apiVersion: roles.ecs.dev/v1alpha1
    kind: InstanceRoleBinding
    metadata: {name: fc, namespace: backend, creationTimestamp: "2026-02-02T00:00:00Z"}
    spec: {regionId: cn-hangzhou, roleName: FcRole, instanceIds: [i-fc1]}
`,
  'apps/observe/observer.yaml': `
apiVersion: roles.ecs.dev/v1alpha1
kind: InstanceRoleBinding
metadata: {name: observer, namespace: backend, creationTimestamp: "2026-02-03T00:00:00Z"}
spec: {regionId: cn-hangzhou, roleName: WebRole, mode: Observe, instanceIds: [i-watch1]}
`,
  'apps/bad/bad.yml': `
apiVersion: roles.ecs.dev/v1alpha1
kind: InstanceRoleBinding
metadata: {name: no-targets, namespace: backend}
spec: {regionId: cn-hangzhou, roleName: WebRole}
`,
  'charts/web/templates/deployment.yaml': `
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ .Release.Name }}
  labels: {{- include "web.labels" . | nindent 4 }}
`,
  'kustomization.yaml': `
resources: [apps/web/bindings.yaml, apps/api/list.yaml]
`,
  '.git/ignored.yaml': `
apiVersion: roles.ecs.dev/v1alpha1
kind: InstanceRoleBinding
metadata: {name: from-git-internals, namespace: x}
spec: {regionId: cn-hangzhou, roleName: WebRole, instanceIds: [i-free1]}
`,
  'tenancy/policies.yaml': `${VALID_POLICIES}---
apiVersion: roles.ecs.dev/v1alpha1
kind: InstanceRolePolicy
metadata: {name: broken}
spec: {namespaces: [platform], roles: []}
`,
  'apps/guest/guest.yaml': `
apiVersion: roles.ecs.dev/v1alpha1
kind: InstanceRoleBinding
metadata: {name: intruder, namespace: guest, creationTimestamp: "2025-12-01T00:00:00Z"}
spec: {regionId: cn-hangzhou, roleName: WebRole, instanceIds: [i-guest1]}
`,
  'shanghai/sh.yaml': `
apiVersion: roles.ecs.dev/v1alpha1
kind: InstanceRoleBinding
metadata: {name: sh-web, namespace: platform}
spec: {regionId: cn-shanghai, roleName: WebRole, instanceIds: [i-sh1]}
`,
};

/** Writes files (path -> text) under a new temporary directory. */
/** The verdict the audit must give each instance of AUDIT_FLEET under BINDINGS (cluster or manifests). */
export const EXPECTED_VERDICTS: Record<string, string> = {
  'i-sync1': 'InSync',
  'i-drift1': 'Drifted',
  'i-drift2': 'Drifted',
  'i-stray1': 'Unmanaged',
  'i-free1': 'InSync',
  'i-conf1': 'Conflict',
  'i-fc1': 'Drifted',
  'i-classic1': 'NotVpc',
  'i-missing1': 'Missing',
  // Only an Observe-mode binding targets it: reported, not judged (it was 'Drifted', with takeover advice).
  'i-watch1': 'Observed',
  // Named only by guest/intruder, which no InstanceRolePolicy permits.
  'i-guest1': 'NotPermitted',
};

export function writeTree(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'audit-manifests-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

export function removeTree(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

export async function startAuditCloud(): Promise<CloudSimulator> {
  return startCloudSimulator({ fleet: parseFleet(AUDIT_FLEET) });
}

export interface CommandOutcome {
  stdout: string;
  stderr: string;
  exitCode: number | undefined;
}

/** Runs `ecs-role-operator audit ARGS` in-process against the simulator. */
export async function runAuditCommand(sim: CloudSimulator, args: string[], key = AUDITOR): Promise<CommandOutcome> {
  let stdout = '';
  let stderr = '';
  let exitCode: number | undefined;
  const program = new Command()
    .exitOverride()
    .configureOutput({ writeOut: (text) => (stdout += text), writeErr: (text) => (stderr += text) });
  registerAuditCommand(program, {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
    credential: createAccessKeyCredential(key.id, key.secret),
    setExitCode: (code) => {
      exitCode = code;
    },
  });
  await program.parseAsync(['audit', '--ecs-endpoint', sim.endpoint, '--ram-endpoint', sim.endpoint, '--protocol', 'http', ...args], { from: 'user' });
  return { stdout, stderr, exitCode };
}
