import type { UserConfig } from 'vitest/config';

/** The vitest settings every package shares (see vitest-config.js). */
export declare const vitestConfig: (extra?: { testTimeout?: number; include?: string[] }) => UserConfig;
