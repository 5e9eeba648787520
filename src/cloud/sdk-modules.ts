/**
 * The Alibaba Cloud SDK packages are CommonJS with `exports.default = Client`. Native Node ESM
 * gives `import X from` the whole module.exports, while vitest's interop hands out
 * module.exports.default instead, so a default import behaves differently in tests and in
 * production. Loading them with require() is the same everywhere; the types are the
 * module.exports types TypeScript derives for a CommonJS default import.
 */
import { createRequire } from 'node:module';
import type CredentialsExports from '@alicloud/credentials';
import type EcsExports from '@alicloud/ecs20140526';
import type * as OpenApiCoreExports from '@alicloud/openapi-core';
import type RamExports from '@alicloud/ram20150501';

const require = createRequire(import.meta.url);

export const Ecs = require('@alicloud/ecs20140526') as typeof EcsExports;
export const Ram = require('@alicloud/ram20150501') as typeof RamExports;
export const OpenApiCore = require('@alicloud/openapi-core') as typeof OpenApiCoreExports;
export const Credentials = require('@alicloud/credentials') as typeof CredentialsExports;
