import type { UserConfig } from 'vitest/config';

/** The vitest settings every package shares (see vitest-config.js). */
export declare const vitestConfig: (extra?: {
  testTimeout?: number;
  hookTimeout?: number;
  include?: string[];
  pool?: 'forks' | 'threads';
  /** false: no database server for this package's tests. */
  database?: boolean;
}) => UserConfig;
