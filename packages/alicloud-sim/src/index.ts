/**
 * The Alibaba Cloud simulator (ECS 2014-05-26 and RAM 2015-05-01 over the real wire protocol),
 * for tests, the sandbox and `ecs-role-operator sim cloud`. See docs/cloud-simulator.md.
 */
export { startCloudSimulator, type CloudSimulator, type CloudSimulatorOptions } from './server.js';
export {
  parseFleet,
  loadFleetFile,
  validateFleet,
  generatedIds,
  FleetValidationError,
  type FleetSpec,
  type AccessKeySpec,
  type RoleSpec,
  type RegionSpec,
  type InstanceSpec,
  type GenerateSpec,
  type LimitsSpec,
  type NetworkType,
  type InstanceStatus,
  type MetadataTokens,
  type PolicySpec,
} from './fleet.js';
export { CloudState, StateError, type Instance, type InstanceView, type Role, type StateSnapshot, type StsSession } from './state.js';
export { DEFAULT_CALL_LOG_LIMIT, type CallRecord, type CallLog } from './call-log.js';
export type { FaultSpec, Fault, FaultInjector } from './faults.js';
export { DEFAULT_QPS } from './throttle.js';
export { MAX_CLOCK_SKEW_MS } from './authentication.js';
export { MAX_MUTATE_IDS, MAX_DESCRIBE_ROLE_IDS, MAX_DESCRIBE_INSTANCES_IDS } from './ecs-actions.js';
export { TAG_FILTER_RESOURCE_CAP } from './describe-instances.js';
export { FUZZY_FILTER_RESOURCE_CAP, MAX_TAG_RESOURCE_IDS } from './list-tag-resources.js';
export { LIST_TAG_RESOURCES_PAGE_ROWS } from './unconfirmed-behaviour.js';
export { DEFAULT_ACCOUNT_ID, instanceArn, roleArn, policyArn } from './arn.js';
export { parsePolicyDocument, MAX_POLICY_DOCUMENT_LENGTH, type PolicyDocument, type PolicyStatement, type PolicyKind } from './policy-document.js';
export { Permissions, type AuthorizationRequest, type Decision } from './policy-evaluation.js';
export { trustsService } from './trust-policy.js';
export { RAM_QUOTAS } from './ram-quotas.js';
export { SYSTEM_POLICY_NAMES } from './system-policies.js';
export {
  RolelessLog,
  DEFAULT_ROLELESS_INSTANCE_LIMIT,
  type RolelessReport,
  type RolelessSummary,
  type RolelessWindow,
} from './roleless-log.js';
export type { MetadataEndpoint, MetadataEndpointOptions } from './metadata-endpoint.js';
export { seededRandom } from './seeded-random.js';
export { sampleFleetPath } from './sample-fleet.js';
