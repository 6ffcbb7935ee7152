import DataLoader from 'dataloader';
import { byIdLoader, databaseKind, type Identity, type ServiceContext } from '@yuejuan/runtime';
import {
  casesOwned,
  type AttachmentDoc,
  type BindingApplicationDoc,
  type CaseDoc,
  type CasesModels,
  type ProcuratorateDoc,
} from './models/index.ts';

/** Per-request loaders: every entity lookup of a request goes through one of these. */
export function createLoaders(models: CasesModels) {
  const owned = casesOwned(models);
  return {
    procuratorate: byIdLoader<ProcuratorateDoc>(models.Procuratorate),
    case: byIdLoader<CaseDoc>(models.Case),
    bindingApplication: byIdLoader<BindingApplicationDoc>(models.BindingApplication),
    attachment: byIdLoader<AttachmentDoc>(models.Attachment),
    /**
     * Lawyers' binding applications counted by status, one query per batch: every count of a
     * request (the applications' and the bound cases' totals) reads this.
     */
    bindingCounts: new DataLoader<string, Map<string, number>>(async (lawyerIds) => {
      // FerretDB scans for a field filter: there each lawyer's applications come by their ids.
      if ((await databaseKind(models.BindingApplication.db.getClient())) === 'ferretdb')
        return Promise.all(
          lawyerIds.map(async (id) => {
            const counts = new Map<string, number>();
            for (const a of await owned.bindingsByLawyer.find(id))
              counts.set(a.status, (counts.get(a.status) ?? 0) + 1);
            return counts;
          }),
        );
      const rows = await models.BindingApplication.aggregate<{
        _id: { lawyerId: string; status: string };
        n: number;
      }>([
        { $match: { lawyerId: lawyerIds.length === 1 ? lawyerIds[0] : { $in: [...lawyerIds] } } },
        { $group: { _id: { lawyerId: '$lawyerId', status: '$status' }, n: { $sum: 1 } } },
      ]).exec();
      const byLawyer = new Map(lawyerIds.map((id) => [id, new Map<string, number>()]));
      for (const { _id, n } of rows) byLawyer.get(_id.lawyerId)?.set(_id.status, n);
      return lawyerIds.map((id) => byLawyer.get(id)!);
    }),
    /** For a lawyer: which cases (of a batch) they are bound to (an approved binding), in one query. */
    boundCases: new DataLoader<{ lawyerId: string; caseId: string }, boolean, string>(
      async (keys) => {
        const lawyerId = keys[0]!.lawyerId; // one caller per request
        const docs = await owned.bindingsByLawyer.find(lawyerId, {
          status: 'APPROVED',
          caseId: { $in: keys.map((k) => k.caseId) },
        });
        const bound = new Set(docs.map((d) => d.caseId));
        return keys.map((k) => bound.has(k.caseId));
      },
      { cacheKeyFn: (k) => `${k.lawyerId}:${k.caseId}` },
    ),
  };
}
export type Loaders = ReturnType<typeof createLoaders>;
export type Context = ServiceContext<Loaders>;

/**
 * Case data: its procuratorate's staff, administrators, and lawyers bound to it. A lawyer's
 * own application still shows its case (BindingApplication.case), whatever its status.
 */
export async function canReadCase(
  identity: Identity,
  c: CaseDoc,
  loaders: Loaders,
): Promise<boolean> {
  switch (identity.role) {
    case 'ADMINISTRATOR':
      return true;
    case 'PROSECUTOR':
      return identity.procuratorateId === c.procuratorateId;
    case 'LAWYER':
      return loaders.boundCases.load({ lawyerId: identity.lawyerId, caseId: c._id });
    case 'SYSTEM':
      return identity.procuratorateId === c.procuratorateId;
    default:
      return false;
  }
}
