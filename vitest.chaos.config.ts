import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/chaos/**/*.test.ts'],
    globalSetup: ['test/helpers/global-redis.ts'],
    testTimeout: 90_000,
    hookTimeout: 30_000,
    pool: 'forks',
    fileParallelism: false,
  },
});
