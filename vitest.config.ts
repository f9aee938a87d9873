import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    // Integration tests share one Temporal server, S3 gateway and PostgreSQL on a 2-core
    // machine: files run one after another, each in its own databases, bucket and task queue.
    fileParallelism: false,
    globalSetup: ['tests/support/global-setup.ts'],
    testTimeout: 120_000,
    hookTimeout: 600_000,
  },
})
