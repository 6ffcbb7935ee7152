import type { Collection } from 'mongodb';
import {
  AppError,
  claimOnce,
  decodeCursor,
  lazyConnection,
  newId,
  pageSize,
  requireRole,
  requireStepUp,
  type Identity,
  type OwnedFilter,
  type OwnedIndex,
  type PageArgs,
  type StepUpClaim,
} from '@yuejuan/runtime';
import {
  openReadingStatuses,
  readingOwned,
  type AppointmentDoc,
  type PackageDoc,
  type ReadingApplicationDoc,
  type ReadingModels,
} from '../models/index.ts';
import { assertCanRead, assertReviewer } from './access.ts';
import type { ReadingEvents } from './events.ts';
import { effectiveStatus } from './package.service.ts';
import type { Peers } from './peers.ts';
import { readingTerms } from './terms.ts';

export interface ReadingInput {
  caseId: string;
  noticeVersion: string;
  undertakingVersion: string;
}

export interface ApplicationStores {
  /**
   * `${lawyerId}:${caseId}:after:${previousApplicationId|none}`: the one application that may
   * follow the lawyer's previous one for the case (a concurrent second submission loses the insert).
   */
  active: Collection<{ _id: string; applicationId: string; at: Date }>;
  /** `${applicationId}:<change>`: each change of an application happens once. */
  changes: Collection<{ _id: string; by: string; at: Date }>;
  stepUps: Collection<StepUpClaim>;
}

/**
 * Whether an application still holds its case, so the lawyer cannot apply again: pending, or
 * approved with its appointment open and its package neither expired nor revoked.
 */
export async function applicationHoldsCase(
  app: ReadingApplicationDoc,
  find: {
    appointment(id: string): Promise<AppointmentDoc | null>;
    package(id: string): Promise<PackageDoc | null>;
  },
): Promise<boolean> {
  if (app.status === 'SUBMITTED') return true;
  if (app.status === 'REJECTED' || !app.appointmentId) return false;
  const appointment = await find.appointment(app.appointmentId);
  if (!appointment || appointment.status === 'CLOSED') return false;
  if (!appointment.packageId) return true; // approved, the case file is still being prepared
  const pkg = await find.package(appointment.packageId);
  return !pkg || !['EXPIRED', 'REVOKED'].includes(effectiveStatus(pkg));
}

/** Online reading applications (flow 4): submit with accepted terms, review, system transitions. */
export function createApplicationService(
  models: ReadingModels,
  peers: Peers,
  events: ReadingEvents,
  stores: () => ApplicationStores,
) {
  async function load(id: string) {
    const app = await models.ReadingApplication.findById(id).lean<ReadingApplicationDoc>().exec();
    if (!app) throw new AppError('NOT_FOUND', '阅卷申请不存在。');
    return app;
  }
  const owned = readingOwned(models);
  /**
   * One owner's applications (see readingOwned) as a lazy connection: the count and the page run
   * only when the client selects them.
   */
  function page(
    index: OwnedIndex<ReadingApplicationDoc>,
    owner: string,
    filter: OwnedFilter,
    args: PageArgs,
  ) {
    const first = pageSize(args.first);
    const before = args.after ? decodeCursor(args.after) : undefined;
    return lazyConnection({
      first,
      count: () => index.count(owner, filter),
      fetch: () => index.find(owner, filter, { limit: first + 1, before }),
    });
  }
  /**
   * Whether an application still holds its case for the lawyer: pending, or approved with an
   * appointment that is open and whose package (if published) has neither expired nor been
   * revoked. A rejected application, or an approved one whose reading is over, does not: the
   * lawyer may apply again.
   */
  const holdsCase = (app: ReadingApplicationDoc) =>
    applicationHoldsCase(app, {
      appointment: (id) => models.Appointment.findById(id).lean<AppointmentDoc>().exec(),
      package: (id) => models.Package.findById(id).lean<PackageDoc>().exec(),
    });

  /** Applies one change once (the claim decides), then announces it. */
  async function change(
    app: ReadingApplicationDoc,
    key: string,
    by: string,
    set: Record<string, unknown>,
    reason?: string,
  ) {
    if (!(await claimOnce(stores().changes, `${app._id}:${key}`, { by, at: new Date() })))
      throw new AppError('CONFLICT', '申请状态已变化，请刷新后重试。');
    await models.ReadingApplication.updateOne({ _id: app._id }, { $set: set }).exec();
    if (
      openReadingStatuses.includes(app.status) &&
      !openReadingStatuses.includes(String(set.status))
    )
      await owned.openByProcuratorate.left(app.procuratorateId, app._id);
    const updated = await load(app._id);
    await events.application(updated, reason);
    return updated;
  }

  return {
    load,
    /**
     * 【申请在线阅卷】: only a case bound to the lawyer, at a pilot procuratorate, not excluded;
     * the accepted notice and undertaking must be the current versions; non-verified sessions
     * need a READING_APPLICATION step-up. Refused while the lawyer's latest application for the
     * case still holds it (see holdsCase); after a rejection, expiry, revocation or a closed
     * appointment a new one is accepted.
     */
    async submit(identity: Identity, input: ReadingInput): Promise<ReadingApplicationDoc> {
      const lawyer = requireRole(identity, 'LAWYER');
      if (input.noticeVersion !== readingTerms.notice.version)
        throw new AppError('BAD_USER_INPUT', '请阅读并接受最新的《申请在线阅卷须知》。', {
          field: 'noticeVersion',
          currentVersion: readingTerms.notice.version,
        });
      if (input.undertakingVersion !== readingTerms.undertaking.version)
        throw new AppError('BAD_USER_INPUT', '请阅读并签署最新的《阅卷承诺书》。', {
          field: 'undertakingVersion',
          currentVersion: readingTerms.undertaking.version,
        });
      const check = await peers.checkBinding(lawyer.lawyerId, input.caseId);
      if (!check.exists) throw new AppError('NOT_FOUND', '案件不存在。');
      if (!check.bound) throw new AppError('CASE_NOT_BOUND', '只能对已绑定案件申请在线阅卷。');
      if (!check.onlineReadingEnabled)
        throw new AppError('ONLINE_READING_UNAVAILABLE', '该案件的受理检察院暂未开通在线阅卷。');
      if (check.readingExclusion)
        throw new AppError(
          'READING_EXCLUDED',
          `该案件不适用网上阅卷：${check.readingExclusion.reason}`,
          { category: check.readingExclusion.category, reason: check.readingExclusion.reason },
        );
      const [latest] = await owned.readingsByLawyer.find(
        lawyer.lawyerId,
        { caseId: input.caseId },
        { limit: 1 },
      );
      if (latest && (await holdsCase(latest)))
        throw new AppError('CONFLICT', '该案件已有待审核或尚在有效期内的阅卷申请。', {
          applicationId: latest._id,
          status: latest.status,
        });
      await requireStepUp(identity, 'READING_APPLICATION', stores().stepUps);
      const id = newId();
      const key = `${lawyer.lawyerId}:${input.caseId}:after:${latest?._id ?? 'none'}`;
      if (!(await claimOnce(stores().active, key, { applicationId: id, at: new Date() })))
        throw new AppError('CONFLICT', '该案件已有待审核或尚在有效期内的阅卷申请。');
      const now = new Date();
      // Into the owners' indexes first (FerretDB's id sets), then the application itself.
      await owned.readingsByLawyer.added(lawyer.lawyerId, id);
      await owned.openByProcuratorate.added(check.procuratorateId!, id);
      await owned.readingsByProcuratorate.added(check.procuratorateId!, id);
      await models.ReadingApplication.create({
        _id: id,
        lawyerId: lawyer.lawyerId,
        caseId: input.caseId,
        procuratorateId: check.procuratorateId!,
        caseName: check.caseName!,
        noticeAcceptance: { version: input.noticeVersion, acceptedAt: now },
        undertakingAcceptance: { version: input.undertakingVersion, acceptedAt: now },
      });
      const app = await load(id);
      await events.application(app);
      return app;
    },

    /** A prosecutor of the procuratorate approves: the lawyer's ONLINE_READING appointment is created. */
    async approve(identity: Identity, id: string) {
      const app = await load(id);
      const p = assertReviewer(identity, app.procuratorateId);
      if (app.status !== 'SUBMITTED')
        throw new AppError('CONFLICT', '申请状态已变化，请刷新后重试。', { status: app.status });
      // The binding may have been revoked while the application waited.
      if (!(await peers.checkBinding(app.lawyerId, app.caseId)).bound)
        throw new AppError('CASE_NOT_BOUND', '该案件的绑定已被撤销，不能批准阅卷申请。');
      if (
        !(await claimOnce(stores().changes, `${id}:decision`, {
          by: p.prosecutorId,
          at: new Date(),
        }))
      )
        throw new AppError('CONFLICT', '申请已被处理。');
      const appointmentId = newId();
      await owned.appointmentsByLawyer.added(app.lawyerId, appointmentId);
      const appointment = await models.Appointment.create({
        _id: appointmentId,
        type: 'ONLINE_READING',
        lawyerId: app.lawyerId,
        caseId: app.caseId,
        procuratorateId: app.procuratorateId,
        caseName: app.caseName,
        sourceId: app._id,
      });
      await models.ReadingApplication.updateOne(
        { _id: id },
        { $set: { status: 'APPROVED', decidedAt: new Date(), appointmentId: appointment._id } },
      ).exec();
      const updated = await load(id);
      await events.application(updated);
      return updated;
    },

    /** Rejects with a reason; the lawyer may apply again. */
    async reject(identity: Identity, id: string, reason: string) {
      const app = await load(id);
      const p = assertReviewer(identity, app.procuratorateId);
      const why = typeof reason === 'string' ? reason.trim() : '';
      if (!why || why.length > 500)
        throw new AppError('BAD_USER_INPUT', '请填写驳回理由（最多500字）。', { field: 'reason' });
      if (app.status !== 'SUBMITTED')
        throw new AppError('CONFLICT', '申请状态已变化，请刷新后重试。', { status: app.status });
      return change(
        app,
        'decision',
        p.prosecutorId,
        { status: 'REJECTED', decidedAt: new Date(), decisionReason: why },
        why,
      );
    },

    /** System transitions as the package moves (APPROVED → FILE_READY → DOWNLOADED), each once. */
    async advance(applicationId: string, to: 'FILE_READY' | 'DOWNLOADED') {
      const app = await load(applicationId);
      const order = ['APPROVED', 'FILE_READY', 'DOWNLOADED'];
      if (order.indexOf(app.status) < 0 || order.indexOf(app.status) >= order.indexOf(to)) return;
      await change(app, to, 'system', { status: to }).catch((err) => {
        if (!(err instanceof AppError)) throw err;
      });
    },

    async listForLawyer(
      identity: Identity,
      lawyerId: string,
      status: string | null | undefined,
      args: PageArgs,
    ) {
      assertCanRead(identity, { lawyerId, procuratorateId: '' });
      return page(owned.readingsByLawyer, lawyerId, status ? { status } : {}, args);
    },

    async reviewQueue(identity: Identity, status: string | null | undefined, args: PageArgs) {
      if (identity.role === 'ANONYMOUS') throw new AppError('UNAUTHENTICATED');
      if (identity.role !== 'PROSECUTOR')
        throw new AppError('FORBIDDEN', '审核队列仅供检察人员使用。');
      const wanted = status ?? 'SUBMITTED';
      // The open ones (to review, files to prepare) from the open index; history from all of them.
      const index = openReadingStatuses.includes(wanted)
        ? owned.openByProcuratorate
        : owned.readingsByProcuratorate;
      return page(index, identity.procuratorateId, { status: wanted }, args);
    },
  };
}
export type ApplicationService = ReturnType<typeof createApplicationService>;
