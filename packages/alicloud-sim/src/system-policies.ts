import { allowListDocument, type PolicyDocument } from './policy-document.js';

/**
 * The System policies the simulator knows by name (AttachPolicyToRole with PolicyType System, or
 * a fleet file's `policies:` reference), as action allow-lists on every resource.
 */
const SYSTEM_POLICY_ACTIONS: Readonly<Record<string, readonly string[]>> = {
  AdministratorAccess: ['*'],
  AliyunOSSReadOnlyAccess: ['oss:Get*', 'oss:List*'],
  AliyunOSSFullAccess: ['oss:*'],
  AliyunECSReadOnlyAccess: ['ecs:Describe*'],
  AliyunECSFullAccess: ['ecs:*'],
  AliyunRAMReadOnlyAccess: ['ram:Get*', 'ram:List*'],
  AliyunRAMFullAccess: ['ram:*'],
  AliyunSTSAssumeRoleAccess: ['sts:AssumeRole'],
  AliyunVPCReadOnlyAccess: ['vpc:Describe*', 'vpc:Get*', 'vpc:List*'],
  AliyunVPCFullAccess: ['vpc:*'],
  AliyunSLBReadOnlyAccess: ['slb:Describe*'],
  AliyunSLBFullAccess: ['slb:*'],
  AliyunRDSReadOnlyAccess: ['rds:Describe*'],
  AliyunRDSFullAccess: ['rds:*'],
  AliyunLogReadOnlyAccess: ['log:Get*', 'log:List*'],
  AliyunLogFullAccess: ['log:*'],
  AliyunKMSReadOnlyAccess: ['kms:Describe*', 'kms:List*'],
  AliyunKMSFullAccess: ['kms:*'],
  AliyunCloudMonitorReadOnlyAccess: ['cms:Describe*', 'cms:Query*'],
  AliyunCloudMonitorFullAccess: ['cms:*'],
  AliyunFCReadOnlyAccess: ['fc:Get*', 'fc:List*'],
  AliyunFCFullAccess: ['fc:*'],
};

export const SYSTEM_POLICY_NAMES: readonly string[] = Object.keys(SYSTEM_POLICY_ACTIONS);

/** The canonical spelling of a System policy name, or undefined (names compare case-insensitively). */
export function systemPolicyName(name: string): string | undefined {
  return SYSTEM_POLICY_NAMES.find((n) => n.toLowerCase() === name.toLowerCase());
}

export function systemPolicyDocument(name: string): PolicyDocument | undefined {
  const canonical = systemPolicyName(name);
  return canonical === undefined ? undefined : allowListDocument(SYSTEM_POLICY_ACTIONS[canonical]!);
}
