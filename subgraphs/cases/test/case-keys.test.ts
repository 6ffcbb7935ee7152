// A case by its 部门受案号 and a procuratorate's case list without reading the whole cases
// collection on FerretDB (models/owned.ts: key documents `<procuratorateId>:<部门受案号>` and the
// procuratorate's id set), the same answers on MongoDB from the cases' indexes.
import type { Document } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseKind, newId, type Identity } from '@yuejuan/runtime';
import { startCases, type Harness } from './harness.ts';
import { admin, seedProcuratorates, shanghai, wangSh } from './fixtures.ts';

const system: Identity = {
  role: 'SYSTEM',
  procuratorateId: shanghai.id,
  app: { clientId: 'sh-case-system', scopes: ['cases:write'] },
};
const input = (n: number) => ({
  departmentCaseNumber: `沪检刑诉〔2025〕${n}号`,
  caseName: `案件${n}`,
  suspects: ['某甲'],
  stage: 'PROSECUTION_REVIEW',
});

const findCase = /* GraphQL */ `
  query ($p: ID!, $n: String!) {
    findCase(procuratorateId: $p, departmentCaseNumber: $n) {
      id
      caseName
    }
  }
`;
const casesOf = /* GraphQL */ `
  query ($p: ID!) {
    procuratorate(id: $p) {
      cases(first: 100) {
        totalCount
        edges {
          node {
            id
          }
        }
      }
    }
  }
`;

/** The commands `fn` sends to the test database, with whether their filter names `_id`. */
async function commandsOf(h: Harness, fn: () => Promise<unknown>) {
  const seen: { command: string; collection: string; byId: boolean }[] = [];
  const listener = (e: { databaseName: string; commandName: string; command: Document }) => {
    if (e.databaseName !== h.db.name) return;
    const filter = (e.command.filter ?? e.command.q ?? {}) as Document;
    seen.push({
      command: e.commandName,
      collection: String(e.command[e.commandName]),
      byId: '_id' in filter,
    });
  };
  h.db.getClient().on('commandStarted', listener);
  try {
    await fn();
  } finally {
    h.db.getClient().off('commandStarted', listener);
  }
  return seen;
}

describe('cases by 部门受案号: one case per number under concurrency', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startCases('cases_keys');
    await seedProcuratorates(h);
  });
  afterAll(async () => {
    await h?.stop();
  });

  it('creates one case of 12 concurrent intakes of a new number (each its own request id)', async () => {
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        h.services.intake.intakeCase(system, `race-request-${i}`, input(1)),
      ),
    );
    expect(results.filter((r) => r.created)).toHaveLength(1);
    expect(new Set(results.map((r) => r.case._id)).size).toBe(1);
    expect(
      await h.models.Case.countDocuments({ departmentCaseNumber: input(1).departmentCaseNumber }),
    ).toBe(1);
    // Once more with one request id sent 6 times at once: one case, the others replay it.
    const same = await Promise.all(
      Array.from({ length: 6 }, () =>
        h.services.intake.intakeCase(system, 'same-request', input(2)),
      ),
    );
    expect(same.filter((r) => r.created)).toHaveLength(1);
    expect(new Set(same.map((r) => r.case._id)).size).toBe(1);
  });

  it('creates one case of 12 concurrent imports of one row, and of a prosecutor entering it too', async () => {
    const imports = await Promise.all(
      Array.from({ length: 12 }, () => h.services.cases.importCase(shanghai.id, input(3))),
    );
    expect(imports.filter((r) => r === 'created')).toHaveLength(1);
    await expect(h.services.cases.createCase(wangSh, input(3))).rejects.toMatchObject({
      code: 'CONFLICT',
    });
    expect(
      await h.models.Case.countDocuments({ departmentCaseNumber: input(3).departmentCaseNumber }),
    ).toBe(1);
  });

  it('finds a case by its number and lists the procuratorate with _id reads only on FerretDB', async () => {
    const ferret = (await databaseKind(h.db.getClient())) === 'ferretdb';
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the JSON answer
    let found: any;
    const lookups = await commandsOf(h, async () => {
      found = await h.call(admin, findCase, { p: shanghai.id, n: '沪检刑诉(2025)1号' });
    });
    expect(found.data.findCase.caseName).toBe('案件1');
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the JSON answer
    let listed: any;
    const listing = await commandsOf(h, async () => {
      listed = await h.call(wangSh, casesOf, { p: shanghai.id });
    });
    expect(listed.data.procuratorate.cases.totalCount).toBe(3);
    expect(listed.data.procuratorate.cases.edges).toHaveLength(3);
    if (ferret)
      for (const c of [...lookups, ...listing].filter((c) => c.collection !== 'procuratorates'))
        expect(c).toMatchObject({ command: 'find', byId: true });
    else expect(lookups.filter((c) => c.collection === 'cases')).toHaveLength(1);
    expect((await h.call(admin, findCase, { p: 'SH:310000', n: '1' })).data.findCase).toBeNull();
  });
});

describe('cases written before the key documents and the case lists existed', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startCases('cases_keys_legacy');
    await seedProcuratorates(h);
  });
  afterAll(async () => {
    await h?.stop();
  });

  it('are found, listed and re-imported without a second copy (built once, on first use)', async () => {
    const ids = Array.from({ length: 5 }, () => newId());
    // As an older version wrote them: the documents alone.
    await h.models.Case.insertMany(
      ids.map((_id, i) => ({ _id, procuratorateId: shanghai.id, ...input(10 + i) })),
    );
    const found = await h.call(admin, findCase, {
      p: shanghai.id,
      n: input(12).departmentCaseNumber,
    });
    expect(found.data.findCase.id).toBe(ids[2]);
    const listed = await h.call(wangSh, casesOf, { p: shanghai.id });
    expect(
      listed.data.procuratorate.cases.edges.map((e: { node: { id: string } }) => e.node.id),
    ).toEqual([...ids].reverse());
    expect(await h.services.cases.importCase(shanghai.id, { ...input(13), caseName: '更正' })).toBe(
      'updated',
    );
    expect((await h.models.Case.findById(ids[3]).lean().exec())!.caseName).toBe('更正');
    expect(await h.models.Case.countDocuments()).toBe(5);
    // A case entered now joins the list and the numbers.
    const entered = await h.services.cases.createCase(wangSh, input(20));
    const again = await h.call(wangSh, casesOf, { p: shanghai.id });
    expect(again.data.procuratorate.cases.edges[0].node.id).toBe(entered._id);
    if ((await databaseKind(h.db.getClient())) === 'ferretdb')
      expect(
        await h.db
          .collection('case_numbers')
          .findOne({ _id: `${shanghai.id}:${input(20).departmentCaseNumber}` as never }),
      ).toMatchObject({ id: entered._id });
  });
});
