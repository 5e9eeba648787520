import { defineConfig } from 'vitest/config';

// The workspace packages export their TypeScript sources under the "source" condition, so a test
// loads one copy of each module (the source) whether it imports it by path or by package name.
export default defineConfig({
  resolve: { conditions: ['source'] },
  ssr: { resolve: { conditions: ['source'], externalConditions: ['source'] } },
  test: {
    include: ['test/**/*.test.ts', 'packages/*/test/**/*.test.ts'],
    testTimeout: 30_000,
    // A real control plane (KUBE_TARGETS=real) takes seconds to start, more on a busy machine.
    hookTimeout: 180_000,
    pool: 'forks',
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
  },
});
