import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Document } from 'mongodb';
import { databaseKind } from '@yuejuan/runtime';
import { anonymous } from '@yuejuan/runtime/testing';
import { codes, startCases, type GraphQLResult, type Harness } from './harness.ts';
import {
  admin,
  anhui,
  liSi,
  seedApplications,
  seedCases,
  seedProcuratorates,
  shanghai,
  wangSh,
  zhangSan,
  zhangSanId,
} from './fixtures.ts';

const applications = /* GraphQL */ `
  query Applications(
    $representations: [_Any!]!
    $filter: BindingApplicationFilter
    $first: Int
    $after: String
  ) {
    _entities(representations: $representations) {
      ... on Lawyer {
        bindingApplications(filter: $filter, first: $first, after: $after) {
          totalCount
          pageInfo {
            hasNextPage
            endCursor
          }
          edges {
            cursor
            node {
              id
              status
              lawyer {
                id
              }
              caseSummary {
                id
                procuratorate {
                  id
                }
              }
            }
          }
        }
      }
    }
  }
`;
const boundCases = /* GraphQL */ `
  query BoundCases($representations: [_Any!]!, $first: Int, $after: String) {
    _entities(representations: $representations) {
      ... on Lawyer {
        boundCases(first: $first, after: $after) {
          totalCount
          pageInfo {
            hasNextPage
            endCursor
          }
          edges {
            node {
              id
              caseName
            }
          }
        }
      }
    }
  }
`;
const selecting = (selection: string) => /* GraphQL */ `
  query Selection($representations: [_Any!]!) { _entities(representations: $representations) { ... on Lawyer { ${selection} } } }
`;
type Page = {
  totalCount: number;
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  edges: {
    node: {
      id: string;
      status: string;
      lawyer: { id: string };
      caseSummary: { procuratorate: { id: string } };
    };
  }[];
};
const me = [{ __typename: 'Lawyer', id: zhangSanId }];
const statuses = ['SUBMITTED', 'APPROVED', 'REJECTED', 'SUBMITTED', 'WITHDRAWN'] as const;

describe("a lawyer's binding applications and bound cases", () => {
  let h: Harness;
  let cases: string[];
  let apps: string[];

  beforeAll(async () => {
    h = await startCases('cases_lawyer');
    await seedProcuratorates(h);
    cases = [
      ...(await seedCases(h, shanghai.id, 20, '沪检刑诉')),
      ...(await seedCases(h, anhui.id, 5, '皖检刑诉')),
    ];
    apps = await seedApplications(h, zhangSanId, cases, (i) => statuses[i % statuses.length]!);
    await seedApplications(h, 'lawyer-lisi', cases.slice(0, 3), () => 'APPROVED');
  });
  afterAll(async () => {
    await h?.stop();
  });

  async function allPages(variables: Record<string, unknown>, first: number) {
    const ids: string[] = [];
    const pages: Page[] = [];
    let after: string | null = null;
    do {
      const result: GraphQLResult<{ _entities: { bindingApplications: Page }[] }> = await h.call(
        zhangSan,
        applications,
        { representations: me, ...variables, first, after },
      );
      expect(result.errors).toBeUndefined();
      const page: Page = result.data!._entities[0]!.bindingApplications;
      pages.push(page);
      ids.push(...page.edges.map((e) => e.node.id));
      after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
    } while (after);
    return { ids, pages };
  }

  it("lists all of the lawyer's own applications across pages: none twice, none missing", async () => {
    const { ids, pages } = await allPages({}, 7);
    expect(pages.map((p) => p.edges.length)).toEqual([7, 7, 7, 4]);
    expect(pages.every((p) => p.totalCount === 25)).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual([...apps].reverse());
    expect(pages.flatMap((p) => p.edges).every((e) => e.node.lawyer.id === zhangSanId)).toBe(true);
  });

  it('filters by status, paging within the filter', async () => {
    const submitted = apps
      .filter((_, i) => statuses[i % statuses.length] === 'SUBMITTED')
      .reverse();
    const { ids, pages } = await allPages({ filter: { status: 'SUBMITTED' } }, 3);
    expect(pages.every((p) => p.totalCount === submitted.length)).toBe(true);
    expect(ids).toEqual(submitted);
    expect(pages.flatMap((p) => p.edges).every((e) => e.node.status === 'SUBMITTED')).toBe(true);
  });

  it('filters by procuratorate', async () => {
    const { ids, pages } = await allPages({ filter: { procuratorateId: anhui.id } }, 20);
    expect(ids).toEqual(apps.slice(20).reverse());
    expect(pages[0]!.edges.every((e) => e.node.caseSummary.procuratorate.id === anhui.id)).toBe(
      true,
    );
  });

  it('refuses another lawyer and a prosecutor with FORBIDDEN, anonymous callers with UNAUTHENTICATED', async () => {
    for (const identity of [liSi, wangSh]) {
      const result = await h.call(identity, applications, { representations: me });
      expect(result.data?._entities ?? [null]).toEqual([null]);
      expect(codes(result)).toEqual(['FORBIDDEN']);
    }
    expect(codes(await h.call(anonymous, applications, { representations: me }))).toEqual([
      'UNAUTHENTICATED',
    ]);
  });

  it('lets an administrator read them', async () => {
    const result = await h.call(admin, applications, { representations: me, first: 1 });
    expect(result.errors).toBeUndefined();
    expect(result.data._entities[0].bindingApplications.totalCount).toBe(25);
  });

  it('lists only APPROVED bindings as bound cases, newest binding first', async () => {
    const approved = cases.filter((_, i) => statuses[i % statuses.length] === 'APPROVED').reverse();
    const result = await h.call(zhangSan, boundCases, { representations: me, first: 100 });
    expect(result.errors).toBeUndefined();
    const page = result.data._entities[0].boundCases;
    expect(page.totalCount).toBe(approved.length);
    expect(page.edges.map((e: { node: { id: string } }) => e.node.id)).toEqual(approved);

    const first = await h.call(zhangSan, boundCases, { representations: me, first: 2 });
    const second = await h.call(zhangSan, boundCases, {
      representations: me,
      first: 100,
      after: first.data._entities[0].boundCases.pageInfo.endCursor,
    });
    expect(first.data._entities[0].boundCases.pageInfo.hasNextPage).toBe(true);
    expect(
      [
        ...first.data._entities[0].boundCases.edges,
        ...second.data._entities[0].boundCases.edges,
      ].map((e: { node: { id: string } }) => e.node.id),
    ).toEqual(approved);
    expect(codes(await h.call(liSi, boundCases, { representations: me }))).toEqual(['FORBIDDEN']);
  });

  // FerretDB on SQLite scans the collection for every query that is not an `_id` lookup: a
  // connection runs only the queries of the fields the client selected.
  // MongoDB answers from the applications' indexes (counts by status, one find per page).
  // FerretDB scans for any filter but `_id`, so there the lawyer's applications come by their ids
  // (runtime ownedIndex): every read is an `_id` read, and the selection still decides which run.
  describe('database commands per selection', () => {
    let ferret = false;
    beforeAll(async () => {
      ferret = (await databaseKind(h.db.getClient())) === 'ferretdb';
    });
    async function commandsFor(selection: string) {
      const reads: { command: string; collection: string; byId: boolean }[] = [];
      const listener = (e: { databaseName: string; commandName: string; command: Document }) => {
        if (e.databaseName !== h.db.name) return;
        const c = e.command;
        const filter = (c.filter ?? c.pipeline?.[0]?.$match ?? {}) as Document;
        reads.push({
          command: e.commandName,
          collection: String(c[e.commandName]),
          byId: '_id' in filter,
        });
      };
      h.db.getClient().on('commandStarted', listener);
      let result;
      try {
        result = await h.call(zhangSan, selecting(selection), { representations: me });
      } finally {
        h.db.getClient().off('commandStarted', listener);
      }
      expect(result.errors).toBeUndefined();
      const on = (collection: string) => reads.filter((r) => r.collection === collection).length;
      if (ferret) expect(reads.every((r) => r.byId && r.command === 'find')).toBe(true);
      return { lawyer: result.data._entities[0], commands: reads.map((r) => r.command), on };
    }

    it('answers boundCases { totalCount } with one count: no find, no case loaded', async () => {
      const { lawyer, commands, on } = await commandsFor('boundCases { totalCount }');
      expect(lawyer.boundCases).toEqual({ totalCount: 5 });
      if (!ferret) expect(commands).toEqual(['aggregate']); // countDocuments is an aggregate
      expect(on('binding_applications')).toBe(1);
      expect(on('cases')).toBe(0);
    });

    it('loads the bound cases with one find of bindings and one of cases, shared by edges and pageInfo, counting nothing', async () => {
      const { lawyer, commands, on } = await commandsFor(
        'boundCases(first: 2) { edges { node { id } } pageInfo { hasNextPage } }',
      );
      expect(lawyer.boundCases.edges).toHaveLength(2);
      expect(lawyer.boundCases.pageInfo).toEqual({ hasNextPage: true });
      if (!ferret) expect(commands).toEqual(['find', 'find']);
      // FerretDB reads the lawyer's ids newest first in chunks until the page is full.
      expect(on('binding_applications')).toBeLessThanOrEqual(ferret ? 2 : 1);
      expect(on('cases')).toBe(1);
    });

    it('answers boundCases { pageInfo } without loading cases', async () => {
      const { lawyer, commands, on } = await commandsFor(
        'boundCases(first: 2) { pageInfo { endCursor } }',
      );
      expect(lawyer.boundCases.pageInfo.endCursor).toEqual(expect.any(String));
      if (!ferret) expect(commands).toEqual(['find']);
      expect(on('cases')).toBe(0);
    });

    it("runs the personal centre's selection with one count by status and one find", async () => {
      const { lawyer, commands, on } = await commandsFor(
        'bindingApplications(first: 20) { totalCount edges { node { status } } } boundCases { totalCount }',
      );
      expect(lawyer.bindingApplications.totalCount).toBe(25);
      expect(lawyer.bindingApplications.edges).toHaveLength(20);
      expect(lawyer.boundCases.totalCount).toBe(5);
      if (!ferret) expect(commands.sort()).toEqual(['aggregate', 'find']);
      expect(on('binding_applications')).toBe(2);
    });

    it('answers totals filtered by status from the same count, and counts a procuratorate filter on its own', async () => {
      const { lawyer, commands, on } = await commandsFor(`
        approved: bindingApplications(filter: { status: APPROVED }) { totalCount }
        withdrawn: bindingApplications(filter: { status: WITHDRAWN }) { totalCount }
        revoked: bindingApplications(filter: { status: REVOKED }) { totalCount }
        all: bindingApplications { totalCount }
        boundCases { totalCount }`);
      expect(lawyer).toEqual({
        approved: { totalCount: 5 },
        withdrawn: { totalCount: 5 },
        revoked: { totalCount: 0 },
        all: { totalCount: 25 },
        boundCases: { totalCount: 5 },
      });
      if (!ferret) expect(commands).toEqual(['aggregate']);
      expect(on('binding_applications')).toBe(1);
      const byProcuratorate = await commandsFor(
        `bindingApplications(filter: { procuratorateId: "${anhui.id}" }) { totalCount }`,
      );
      expect(byProcuratorate.lawyer.bindingApplications.totalCount).toBe(5);
      if (!ferret) expect(byProcuratorate.commands).toEqual(['aggregate']);
      expect(byProcuratorate.on('binding_applications')).toBe(1);
    });
  });
});
