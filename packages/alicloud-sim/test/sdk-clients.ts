import EcsPackage from '@alicloud/ecs20140526';
import RamPackage from '@alicloud/ram20150501';
import CredentialsPackage, { Config as CredentialConfig } from '@alicloud/credentials';

/**
 * The official SDK client classes. The SDKs are CommonJS with `exports.default = Client`: Node's
 * ESM loader hands back module.exports, Vitest's (and vite-node's) interop the class itself.
 * Accept both. No test framework here: child processes of tests load this too.
 */
function cjsDefault<T>(pkg: { default: T }): T {
  return (pkg as { default?: T }).default ?? (pkg as unknown as T);
}

export const EcsClient = cjsDefault(EcsPackage);
export type Ecs = InstanceType<typeof EcsClient>;
export const RamClient = cjsDefault(RamPackage);
export type Ram = InstanceType<typeof RamClient>;
export const CredentialClient = cjsDefault(CredentialsPackage);
export type Credential = InstanceType<typeof CredentialClient>;
export { CredentialConfig };
