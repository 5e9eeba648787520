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
import { installLazyBarrel, sdkModelsBarrel } from '../util/lazy-cjs-barrel.js';

const require = createRequire(import.meta.url);
// Each SDK's model classes load on first use, not all ~2,000 at start (memory: docs/operations.md).
for (const sdk of ['@alicloud/ecs20140526', '@alicloud/ram20150501']) installLazyBarrel(sdkModelsBarrel(import.meta.url, sdk));

export const Ecs = require('@alicloud/ecs20140526') as typeof EcsExports;
export const Ram = require('@alicloud/ram20150501') as typeof RamExports;
export const OpenApiCore = require('@alicloud/openapi-core') as typeof OpenApiCoreExports;
export const Credentials = require('@alicloud/credentials') as typeof CredentialsExports;
