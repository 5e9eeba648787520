/**
 * Alibaba Cloud Resource Names of what the simulator authorizes on:
 * `acs:ecs:<region>:<account>:instance/<id>`, `acs:ram::<account>:role/<name>` (the role name
 * lower-cased, as RAM writes it) and `acs:ram::<account>:policy/<name>`.
 */

/** The account a fleet file without `accountId` simulates. */
export const DEFAULT_ACCOUNT_ID = '1234567890123456';

export function instanceArn(regionId: string, accountId: string, instanceId: string): string {
  return `acs:ecs:${regionId}:${accountId}:instance/${instanceId}`;
}

export function roleArn(accountId: string, roleName: string): string {
  return `acs:ram::${accountId}:role/${roleName.toLowerCase()}`;
}

export function policyArn(accountId: string, policyName: string): string {
  return `acs:ram::${accountId}:policy/${policyName}`;
}
