import {
  AppError,
  decodeCursor,
  lazyConnection,
  pageSize,
  type CountedPageSource,
  type Identity,
  type PageArgs,
} from '@yuejuan/runtime';
import type {
  BindingApplicationDoc,
  CaseDoc,
  CasesModels,
  ProcuratorateDoc,
} from '../models/index.ts';
import { assertProcuratorateStaff, assertSelfOrAdmin } from './access.ts';

/** A lawyer's binding applications counted by status (absent: none). */
export type StatusCounts = () => Promise<Map<string, number>>;

export interface BindingFilter {
  status?: string | null;
  procuratorateId?: string | null;
}

/** Binding applications as the lawyer, the reviewing prosecutor and the administrator see them. */
export function createBindingService(models: CasesModels) {
  /** Where a page of applications comes from: counted and fetched only when the client selects them. */
  function source(
    filter: Record<string, unknown>,
    args: PageArgs,
    count?: () => Promise<number>,
  ): CountedPageSource<BindingApplicationDoc> {
    const first = pageSize(args.first);
    const paged = args.after ? { ...filter, _id: { $lt: decodeCursor(args.after) } } : filter;
    return {
      first,
      count: count ?? (() => models.BindingApplication.countDocuments(filter).exec()),
      fetch: () =>
        models.BindingApplication.find(paged)
          .sort({ _id: -1 })
          .limit(first + 1)
          .lean<BindingApplicationDoc[]>()
          .exec(),
    };
  }
  const page = (filter: Record<string, unknown>, args: PageArgs) =>
    lazyConnection(source(filter, args));

  return {
    /**
     * 案件绑定申请: the lawyer's own applications, newest first. `counts` answers the lawyer's
     * applications by status (the request's `bindingCounts` loader), so this list's total and
     * the bound cases' share one query; a procuratorate filter is counted on its own.
     */
    async listForLawyer(
      identity: Identity,
      lawyerId: string,
      filter: BindingFilter | null | undefined,
      args: PageArgs,
      counts: StatusCounts,
    ) {
      assertSelfOrAdmin(identity, lawyerId);
      const query: Record<string, unknown> = { lawyerId };
      if (filter?.status) query.status = filter.status;
      if (filter?.procuratorateId) query.procuratorateId = filter.procuratorateId;
      const status = filter?.status;
      const count = filter?.procuratorateId
        ? undefined
        : async () => {
            const byStatus = await counts();
            return status
              ? (byStatus.get(status) ?? 0)
              : [...byStatus.values()].reduce((a, b) => a + b, 0);
          };
      return lazyConnection(source(query, args, count));
    },

    /**
     * 已绑定案件: the lawyer's approved bindings as a connection of their cases (cursors are the
     * bindings'); `loadCases` runs on the page's case ids only when the client selects `edges`.
     */
    async boundCases<N>(
      identity: Identity,
      lawyerId: string,
      args: PageArgs,
      counts: StatusCounts,
      loadCases: (caseIds: string[]) => Promise<N[]>,
    ) {
      assertSelfOrAdmin(identity, lawyerId);
      const count = async () => (await counts()).get('APPROVED') ?? 0;
      return lazyConnection({
        ...source({ lawyerId, status: 'APPROVED' }, args, count),
        map: (bindings: BindingApplicationDoc[]) => loadCases(bindings.map((b) => b.caseId)),
      });
    },

    /** The review queue of a prosecutor's own procuratorate. */
    async reviewQueue(identity: Identity, status: string | null | undefined, args: PageArgs) {
      if (identity.role !== 'PROSECUTOR')
        throw new AppError(
          identity.role === 'ANONYMOUS' ? 'UNAUTHENTICATED' : 'FORBIDDEN',
          identity.role === 'ANONYMOUS' ? undefined : '审核队列仅供检察人员使用。',
        );
      return page(
        { procuratorateId: identity.procuratorateId, status: status ?? 'SUBMITTED' },
        args,
      );
    },

    /** Who may read one application: its lawyer, its procuratorate's prosecutors, administrators. */
    assertCanRead(identity: Identity, app: BindingApplicationDoc): void {
      if (identity.role === 'LAWYER') return assertSelfOrAdmin(identity, app.lawyerId);
      assertProcuratorateStaff(identity, app.procuratorateId);
    },

    /**
     * What the reading subgraph needs to accept an online reading application (served on
     * `POST /internal/bindings/check`): whether the case exists and is bound to the lawyer,
     * its procuratorate and that one's pilot switch, its exclusion, and its name for messages.
     */
    async check(lawyerId: string | null, caseId: string) {
      const c = await models.Case.findById(caseId).lean<CaseDoc>().exec();
      if (!c)
        return {
          exists: false,
          bound: false,
          procuratorateId: null,
          caseName: null,
          onlineReadingEnabled: false,
          readingExclusion: null,
        };
      const [procuratorate, bound] = await Promise.all([
        models.Procuratorate.findById(c.procuratorateId).lean<ProcuratorateDoc>().exec(),
        lawyerId
          ? models.BindingApplication.exists({ lawyerId, caseId, status: 'APPROVED' }).exec()
          : null,
      ]);
      return {
        exists: true,
        bound: !!bound,
        procuratorateId: c.procuratorateId,
        caseName: c.caseName,
        onlineReadingEnabled: !!procuratorate?.onlineReadingEnabled,
        readingExclusion: c.readingExclusion
          ? { category: c.readingExclusion.category, reason: c.readingExclusion.reason }
          : null,
      };
    },

    /** Whether the lawyer holds an approved binding of the case. */
    async isBound(lawyerId: string, caseId: string): Promise<boolean> {
      return !!(await models.BindingApplication.exists({
        lawyerId,
        caseId,
        status: 'APPROVED',
      }).exec());
    },
  };
}
export type BindingService = ReturnType<typeof createBindingService>;
