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
} from './fleet.js';
export { CloudState, StateError, type Instance, type InstanceView, type Role, type StateSnapshot, type StsSession } from './state.js';
export { DEFAULT_CALL_LOG_LIMIT, type CallRecord, type CallLog } from './call-log.js';
export type { FaultSpec, Fault, FaultInjector } from './faults.js';
export { DEFAULT_QPS } from './throttle.js';
export { MAX_CLOCK_SKEW_MS } from './authentication.js';
export { MAX_MUTATE_IDS, MAX_DESCRIBE_ROLE_IDS, MAX_DESCRIBE_INSTANCES_IDS } from './ecs-actions.js';
export { seededRandom } from './seeded-random.js';
export { sampleFleetPath } from './sample-fleet.js';
