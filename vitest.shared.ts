import { defineConfig } from 'vitest/config';

/**
 * One vitest configuration for every project: workspace packages resolve to their TypeScript sources
 * (the `@modelserving/source` export condition), so tests never run against a stale `dist/`.
 */
export function projectConfig(root: string) {
  return defineConfig({
    root,
    resolve: { conditions: ['@modelserving/source'] },
    ssr: { resolve: { conditions: ['@modelserving/source'] } },
    test: {
      include: ['src/**/*.spec.ts', 'src/**/*.test.ts'],
      environment: 'node',
      testTimeout: 30_000,
      hookTimeout: 60_000,
      pool: 'forks',
    },
  });
}
