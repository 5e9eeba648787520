/** The fleet the end-to-end tests run against: every kind of instance the controller must handle. */
export const E2E_FLEET = `
accessKeys:
  - id: LTAI5tOperator
    secret: operator-secret
    allow: ["ecs:Describe*", "ecs:AttachInstanceRamRole", "ecs:DetachInstanceRamRole", "ram:GetRole", "ram:ListRoles", "ram:PassRole"]
roles:
  - {name: RoleA, trustedServices: [ecs.aliyuncs.com], allow: ["oss:Get*"]}
  - {name: RoleB, trustedServices: [ecs.aliyuncs.com], allow: ["oss:List*"]}
  - {name: ForeignRole, trustedServices: [ecs.aliyuncs.com], allow: ["log:*"]}
  - {name: FcOnly, trustedServices: [fc.aliyuncs.com], allow: ["fc:*"]}
regions:
  - id: cn-hangzhou
    instances:
      - {id: i-ready0001, network: vpc, vpcId: vpc-a, tags: {app: web}}
      - {id: i-ready0002, network: vpc, vpcId: vpc-a, tags: {app: web}}
      - {id: i-drift0001, network: vpc, vpcId: vpc-a}
      - {id: i-swap0001, network: vpc, vpcId: vpc-a}
      - {id: i-swap0002, network: vpc, vpcId: vpc-a}
      - {id: i-foreign0001, network: vpc, vpcId: vpc-a, ramRole: ForeignRole}
      - {id: i-foreign0002, network: vpc, vpcId: vpc-a, ramRole: ForeignRole}
      - {id: i-classic0001, network: classic}
      - {id: i-shared0001, network: vpc, vpcId: vpc-a}
      - {id: i-contest0001, network: vpc, vpcId: vpc-a}
      - {id: i-del0001, network: vpc, vpcId: vpc-a}
      - {id: i-orphan0001, network: vpc, vpcId: vpc-a}
      - {id: i-stall0001, network: vpc, vpcId: vpc-a}
      - {id: i-untrust0001, network: vpc, vpcId: vpc-a}
      - {id: i-observe0001, network: vpc, vpcId: vpc-a, ramRole: ForeignRole}
      - {id: i-rel0001, network: vpc, vpcId: vpc-a}
      - {id: i-rel0002, network: vpc, vpcId: vpc-a}
      - {id: i-case0001, network: vpc, vpcId: vpc-a}
limits:
  qps: {AttachInstanceRamRole: 200, DetachInstanceRamRole: 200, DescribeInstanceRamRole: 200, DescribeInstances: 200}
`;

export function binding(name: string, spec: Record<string, unknown>, namespace = 'default'): string {
  return JSON.stringify({
    apiVersion: 'roles.ecs.dev/v1alpha1',
    kind: 'InstanceRoleBinding',
    metadata: { name, namespace },
    spec: { regionId: 'cn-hangzhou', ...spec },
  });
}
