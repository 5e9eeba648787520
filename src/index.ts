/**
 * The operator as a library: what the sandbox, the benchmark and the end-to-end tests need to run
 * it inside their own process against endpoints of their choosing. `ecs-role-operator run` uses
 * the same pieces through src/cli/.
 */
export { startOperator, type OperatorOptions, type RunningOperator } from './operator/operator.js';
export { createAlibabaCloudApi } from './cloud/alibaba-cloud-api.js';
export { createAccessKeyCredential } from './cloud/credentials.js';
export type { CloudApi } from './cloud/cloud-api.js';
export { PooledKubeConfig } from './kube/pooled-kubeconfig.js';
export { applyManifests, readManifests, type ManifestDocument } from './kube/manifests.js';
export { createLogger, parseLogLevel } from './observability/logger.js';
export { durationOption, parseDurationFlag, parsePort } from './cli/options.js';
export { packageRoot, CRD_PATH, CRD_PATHS, EXAMPLES_PATH } from './util/package-root.js';
export type { InstanceRoleBinding } from './api/instance-role-binding.js';
