import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { repoRoot } from '@yuejuan/database';
import { describeMachine, type Machine } from './machine.ts';

/** Where result files go: infra/bench/results/. */
export const resultsDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'results');

export interface ResultFile<F = unknown> {
  benchmark: string;
  /** Distinguishes runs of one benchmark that are not comparable (e.g. the database backend). */
  variant: string;
  startedAt: string;
  finishedAt: string;
  /** Runs made while developing or on a busy machine say so; the summary shows it. */
  provisional: boolean;
  machine: Machine;
  configuration: Record<string, unknown>;
  figures: F;
  notes: string[];
}

/**
 * Writes one benchmark's figures with the exact configuration and machine to
 * results/<benchmark>-<variant>-<timestamp>.json; returns the path.
 */
export function writeResult<F>(
  r: Omit<ResultFile<F>, 'machine' | 'finishedAt'> & { machineAtStart?: Machine },
): string {
  const { machineAtStart, ...rest } = r;
  const file: ResultFile<F> = {
    ...rest,
    machine: machineAtStart ?? describeMachine(repoRoot()),
    finishedAt: new Date().toISOString(),
  };
  mkdirSync(resultsDir, { recursive: true });
  const stamp = file.startedAt.replace(/[:.]/g, '-');
  const path = join(resultsDir, `${r.benchmark}-${r.variant}-${stamp}.json`);
  writeFileSync(path, `${JSON.stringify(file, null, 2)}\n`);
  return path;
}
