import { basename } from 'node:path';
import { claimOnce } from '@yuejuan/runtime';
import { openCases, openIdentity } from '../connect.ts';
import { importRows } from '../import/import-rows.ts';
import { readRows } from '../import/read-rows.ts';
import { rowLabel } from '../import/types.ts';
import type { ImportKind } from '../import/kinds.ts';
import { demoAdministrator, demoFiles } from './demo-files.ts';

export interface SeedDemoOptions {
  mongoUri: string;
  identityDb: string;
  casesDb: string;
  /** The identity subgraph's YUEJUAN_ID_HASH_KEY: lawyers must be hashed as activation will hash them. */
  idHashKey: string;
  /** Progress lines in Chinese, e.g. `console.log`; silent when absent. */
  log?: (message: string) => void;
}

/** Rows per kind in the demo data (plus the one administrator). */
export type DemoCounts = Record<ImportKind, number> & { administrators: number };

export interface DemoSummary {
  /** False when an earlier start had already seeded: nothing was written. */
  seeded: boolean;
  /** The demo data's size, the same on every call. */
  counts: DemoCounts;
  /** Records this call created and updated (both 0 when `seeded` is false). */
  created: number;
  updated: number;
}

interface DemoMarker {
  _id: string;
  seededAt: Date;
  counts: DemoCounts;
}

// Bump when the demo files change, so development databases seeded earlier pick them up
// (the import updates in place, so re-seeding never duplicates).
const markerId = 'demo-data-v2'; // v2: staff accounts with initial passwords

/**
 * Loads the demo data on first start, through the same importRows path as the CLI. The marker
 * in the cases database's `demo_meta` is claimed only after all data is in, so a crash half-way
 * simply seeds again next time (every import is idempotent); later calls write nothing. Bad
 * demo data throws: it is committed, so an error is a bug to fix, not a row to skip.
 */
export async function seedDemo(options: SeedDemoOptions): Promise<DemoSummary> {
  const log = options.log ?? (() => undefined);
  const cases = await openCases(options.mongoUri, options.casesDb);
  try {
    const markers = cases.connection
      .getClient()
      .db(cases.connection.name)
      .collection<DemoMarker>('demo_meta');
    const marker = await markers.findOne({ _id: markerId });
    if (marker) {
      log(`演示数据已于 ${marker.seededAt.toISOString()} 导入，跳过。`);
      return { seeded: false, counts: marker.counts, created: 0, updated: 0 };
    }
    const identity = await openIdentity(options.mongoUri, options.identityDb, options.idHashKey);
    try {
      const services = { identity: identity.services, cases: cases.services };
      const counts = { administrators: 1 } as DemoCounts;
      let created = 0;
      let updated = 0;
      for (const { kind, file } of demoFiles) {
        const read = await readRows(file);
        const result = await importRows(kind, read.rows, services);
        const errors = [...read.errors, ...result.errors];
        if (errors.length)
          throw new Error(
            `演示数据 ${basename(file)} 有误：${errors.map((e) => `${rowLabel(read.format, e.line)}：${e.reason}`).join('；')}`,
          );
        counts[kind] = read.rows.length;
        created += result.created;
        updated += result.updated;
        log(`演示数据 ${basename(file)}：新增 ${result.created}，更新 ${result.updated}`);
      }
      const admin = await identity.services.registry.importAdministrator(demoAdministrator);
      if (admin === 'created') created++;
      else updated++;
      await claimOnce(markers, markerId, { seededAt: new Date(), counts });
      log(`演示数据导入完成：新增 ${created}，更新 ${updated}`);
      return { seeded: true, counts, created, updated };
    } finally {
      await identity.connection.close();
    }
  } finally {
    await cases.connection.close();
  }
}
