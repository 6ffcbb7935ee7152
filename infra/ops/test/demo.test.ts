import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testMongoUri, testSecrets } from '@yuejuan/runtime/testing';
import { connectMongo } from '@yuejuan/runtime';
import {
  demoFiles,
  importRows,
  readRows,
  seedDemo,
  seedDemoSlots,
  type DemoSummary,
} from '../src/index.ts';
import { openServices } from './fixtures.ts';

describe('demo data', () => {
  let db: Awaited<ReturnType<typeof openServices>>;
  beforeAll(async () => {
    db = await openServices('demo');
  });
  afterAll(async () => {
    await db.drop();
  });

  const seed = (log?: (line: string) => void) =>
    seedDemo({
      mongoUri: testMongoUri(),
      identityDb: db.identity.models.Lawyer.db.name,
      casesDb: db.cases.models.Case.db.name,
      idHashKey: testSecrets().idHash,
      log,
    });
  const stored = async () => ({
    procuratorates: await db.cases.models.Procuratorate.countDocuments(),
    cases: await db.cases.models.Case.countDocuments(),
    lawyers: await db.identity.models.Lawyer.countDocuments(),
    prosecutors: await db.identity.models.Prosecutor.countDocuments(),
    administrators: await db.identity.models.Administrator.countDocuments(),
  });

  it('seeds on first start, even over a half-finished earlier seed, and does nothing the second time', async () => {
    // A crash after the first file: the procuratorates are in, the marker is not.
    const [procuratorates] = demoFiles;
    await importRows(procuratorates!.kind, (await readRows(procuratorates!.file)).rows, db);
    const logged: string[] = [];

    const first = await seed((line) => logged.push(line));
    const afterFirst = await stored();
    const caseBefore = await db.cases.models.Case.findOne().sort({ _id: 1 }).lean().exec();
    const second = await seed();

    const counts = { procuratorates: 8, cases: 24, lawyers: 8, prosecutors: 8, administrators: 1 };
    expect(first).toEqual<DemoSummary>({ seeded: true, counts, created: 49 - 8, updated: 8 });
    expect(second).toEqual<DemoSummary>({ seeded: false, counts, created: 0, updated: 0 });
    expect(afterFirst).toEqual(counts);
    expect(await stored()).toEqual(counts);
    const caseAfter = await db.cases.models.Case.findById(caseBefore!._id).lean().exec();
    expect(caseAfter!.updatedAt).toEqual(caseBefore!.updatedAt);
    expect(logged.at(-1)).toBe('演示数据导入完成：新增 41，更新 8');
  });

  it('has the shape the demo promises: pilots in 上海/安徽/重庆, ≥3 cases each, both exclusions, a reviewer in every procuratorate', async () => {
    const procuratorates = await db.cases.models.Procuratorate.find().lean().exec();
    const pilots = procuratorates.filter((p) => p.onlineReadingEnabled);
    expect(new Set(pilots.map((p) => p.province))).toEqual(new Set(['上海市', '安徽省', '重庆市']));
    expect(procuratorates.filter((p) => !p.onlineReadingEnabled).length).toBeGreaterThan(0);
    const cases = await db.cases.models.Case.find().lean().exec();
    for (const p of pilots)
      expect(cases.filter((c) => c.procuratorateId === p._id).length, p._id).toBeGreaterThanOrEqual(
        3,
      );
    expect(
      cases
        .map((c) => c.readingExclusion?.category)
        .filter(Boolean)
        .sort(),
    ).toEqual(['MINORS', 'STATE_SECRETS']);
    const prosecutors = await db.identity.models.Prosecutor.find().lean().exec();
    // Every procuratorate has someone to review its applications (issue 15), pilots or not.
    expect([...new Set(prosecutors.map((p) => p.procuratorateId))].sort()).toEqual(
      procuratorates.map((p) => p._id).sort(),
    );
    expect(prosecutors.every((p) => p.phone)).toBe(true);
  });

  it('files import without a single error', async () => {
    for (const { kind, file } of demoFiles) {
      const read = await readRows(file);
      const result = await importRows(kind, read.rows, db);
      expect([file, read.errors, result.errors]).toEqual([file, [], []]);
      expect(result.created).toBe(0);
    }
  });

  it('keeps ten working days of reception slots ahead at every start, in Beijing office hours, never twice', async () => {
    const readingDb = `${db.cases.models.Case.db.name}_slots`;
    const friday = new Date('2026-12-04T10:00:00+08:00');
    expect(await seedDemoSlots({ mongoUri: testMongoUri(), readingDb, now: friday })).toBe(
      8 * 10 * 2,
    );
    expect(await seedDemoSlots({ mongoUri: testMongoUri(), readingDb, now: friday })).toBe(0);
    // A day later the window has moved by one working day: one day's slots more per procuratorate.
    expect(
      await seedDemoSlots({
        mongoUri: testMongoUri(),
        readingDb,
        now: new Date('2026-12-07T10:00:00+08:00'),
      }),
    ).toBe(8 * 2);
    const connection = await connectMongo(testMongoUri(), readingDb);
    try {
      const first = await connection
        .db!.collection('reception_slots')
        .find({ procuratorateId: 'SH-310000' })
        .sort({ startsAt: 1 })
        .limit(2)
        .toArray();
      // Monday 7 December 2026, 09:00–11:30 and 14:00–16:30 in Beijing; the weekend is skipped.
      expect(first.map((s) => [s.startsAt.toISOString(), s.endsAt.toISOString()])).toEqual([
        ['2026-12-07T01:00:00.000Z', '2026-12-07T03:30:00.000Z'],
        ['2026-12-07T06:00:00.000Z', '2026-12-07T08:30:00.000Z'],
      ]);
      expect(first[0]).toMatchObject({
        location: '上海市人民检察院 律师接待室',
        capacity: 3,
        types: ['IN_PERSON_READING', 'OPINION_HEARING'],
      });
      await connection.db!.dropDatabase();
    } finally {
      await connection.close();
    }
  });
});
