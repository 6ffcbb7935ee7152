import {
  AppError,
  decodeCursor,
  lazyConnection,
  pageSize,
  type CountedPageSource,
  type Identity,
  type PageArgs,
} from '@yuejuan/runtime';
import {
  casesOwned,
  pendingBindingStatuses,
  type BindingApplicationDoc,
  type CaseDoc,
  type CasesModels,
  type ProcuratorateDoc,
} from '../models/index.ts';
import type { OwnedFilter, OwnedIndex } from '@yuejuan/runtime';
import { assertProcuratorateStaff, assertSelfOrAdmin } from './access.ts';

/** A lawyer's binding applications counted by status (absent: none). */
export type StatusCounts = () => Promise<Map<string, number>>;

export interface BindingFilter {
  status?: string | null;
  procuratorateId?: string | null;
}

/** Binding applications as the lawyer, the reviewing prosecutor and the administrator see them. */
export function createBindingService(models: CasesModels) {
  const owned = casesOwned(models);
  /**
   * Where a page of applications comes from: one owner's applications (see casesOwned), counted
   * and fetched only when the client selects them.
   */
  function source(
    index: OwnedIndex<BindingApplicationDoc>,
    owner: string,
    filter: OwnedFilter,
    args: PageArgs,
    count?: () => Promise<number>,
  ): CountedPageSource<BindingApplicationDoc> {
    const first = pageSize(args.first);
    const before = args.after ? decodeCursor(args.after) : undefined;
    return {
      first,
      count: count ?? (() => index.count(owner, filter)),
      fetch: () => index.find(owner, filter, { limit: first + 1, before }),
    };
  }
  /** Whether the lawyer holds an approved binding of the case. */
  const bound = async (lawyerId: string, caseId: string) =>
    (await owned.bindingsByLawyer.find(lawyerId, { caseId, status: 'APPROVED' }, { limit: 1 }))
      .length > 0;

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
      const query: OwnedFilter = {};
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
      return lazyConnection(source(owned.bindingsByLawyer, lawyerId, query, args, count));
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
        ...source(owned.bindingsByLawyer, lawyerId, { status: 'APPROVED' }, args, count),
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
      const wanted = status ?? 'SUBMITTED';
      // The pending ones (the queue proper) from the pending index; history from all of them.
      const index = pendingBindingStatuses.includes(wanted)
        ? owned.pendingByProcuratorate
        : owned.bindingsByProcuratorate;
      return lazyConnection(source(index, identity.procuratorateId, { status: wanted }, args));
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
      const [procuratorate, isBound] = await Promise.all([
        models.Procuratorate.findById(c.procuratorateId).lean<ProcuratorateDoc>().exec(),
        lawyerId ? bound(lawyerId, caseId) : false,
      ]);
      return {
        exists: true,
        bound: isBound,
        procuratorateId: c.procuratorateId,
        caseName: c.caseName,
        onlineReadingEnabled: !!procuratorate?.onlineReadingEnabled,
        readingExclusion: c.readingExclusion
          ? { category: c.readingExclusion.category, reason: c.readingExclusion.reason }
          : null,
      };
    },

    /** Whether the lawyer holds an approved binding of the case. */
    isBound: bound,

    /** Whether an attachment belongs to an application of the prosecutor's procuratorate. */
    async reviewedAttachment(
      attachment: { _id: string; lawyerId: string },
      procuratorateId: string,
    ) {
      const apps = await owned.bindingsByLawyer.find(attachment.lawyerId, { procuratorateId });
      return apps.some((a) => a.attachmentIds.includes(attachment._id));
    },
  };
}
export type BindingService = ReturnType<typeof createBindingService>;
