import type { Collection } from 'mongodb';
import {
  AppError,
  claimOnce,
  newId,
  requireRole,
  requireStepUp,
  type EventBus,
  type Identity,
  type StepUpClaim,
} from '@yuejuan/runtime';
import { casesOwned, type BindingApplicationDoc, type CasesModels } from '../models/index.ts';
import type { AttachmentService } from './attachment.service.ts';
import { bindingChangedTopic, type BindingChangedPayload } from './events.ts';

export interface BindingInput {
  caseId: string;
  lawyerRole: string;
  suspectName: string;
  clientName: string;
  clientRelation: string;
  attachmentIds: string[];
}

export interface WorkflowStores {
  /** `${lawyerId}:${caseId}` while an application is pending: the unique key refuses a second one. */
  pending: Collection<{ _id: string; applicationId: string; at: Date }>;
  /** `${applicationId}:decision:${version}`: each change of an application happens once. */
  decisions: Collection<{ _id: string; to: string; by: string; at: Date }>;
  /** Consumed BIND_CASE step-ups. */
  stepUps: Collection<StepUpClaim>;
}

const pendingStatuses = ['SUBMITTED', 'MATERIALS_REQUESTED'];
const text = (field: string, label: string, value: unknown, max = 100) => {
  if (typeof value !== 'string' || !value.trim())
    throw new AppError('BAD_USER_INPUT', `请填写${label}。`, { field });
  if (value.trim().length > max)
    throw new AppError('BAD_USER_INPUT', `${label}过长（最多${max}字）。`, { field });
  return value.trim();
};
const reasonText = (value: unknown, label: string) => text('reason', label, value, 500);
/** Names compared as people write them: spaces and the middle dot of minority names ignored. */
const samePerson = (a: string, b: string) => {
  const plain = (s: string) => s.normalize('NFKC').replace(/[\s·•・]/g, '');
  return plain(a) === plain(b);
};

/** Which materials flow 3 needs: 授权委托书 or 法律援助公函, 律所函, 执业证; the client's ID and relation proof when the client is not the suspect. */
function missingKinds(relation: string, kinds: Set<string>): string[] {
  const missing: string[] = [];
  if (!kinds.has('POWER_OF_ATTORNEY') && !kinds.has('LEGAL_AID_LETTER'))
    missing.push('POWER_OF_ATTORNEY');
  for (const k of ['LAW_FIRM_LETTER', 'LICENCE']) if (!kinds.has(k)) missing.push(k);
  if (relation !== 'SELF' && relation !== 'LEGAL_AID')
    for (const k of ['CLIENT_ID', 'RELATION_PROOF']) if (!kinds.has(k)) missing.push(k);
  return missing;
}

/** The binding application workflow of flow 3: submit, withdraw, review, materials, revoke. */
export function createBindingWorkflow(
  models: CasesModels,
  attachments: AttachmentService,
  stores: () => WorkflowStores,
  bus: () => EventBus,
) {
  const owned = casesOwned(models);
  async function load(id: string): Promise<BindingApplicationDoc> {
    const app = await models.BindingApplication.findById(id).lean<BindingApplicationDoc>().exec();
    if (!app) throw new AppError('NOT_FOUND', '绑定申请不存在。');
    return app;
  }

  /**
   * Moves an application from one of `from` to `to`, once: the change claims
   * `${id}:decision:${version}`, so of two racing decisions (approve vs reject) exactly one
   * lands and the other gets CONFLICT. Leaving the pending states frees the case for a new one.
   */
  async function transition(
    app: BindingApplicationDoc,
    from: string[],
    to: string,
    by: string,
    fields: Record<string, unknown> = {},
    unset: string[] = [],
  ) {
    if (!from.includes(app.status))
      throw new AppError('CONFLICT', '申请状态已变化，请刷新后重试。', { status: app.status });
    const won = await claimOnce(stores().decisions, `${app._id}:decision:${app.version ?? 0}`, {
      to,
      by,
      at: new Date(),
    });
    if (!won) throw new AppError('CONFLICT', '申请状态已变化，请刷新后重试。');
    await models.BindingApplication.updateOne(
      { _id: app._id },
      {
        $set: { ...fields, status: to, version: (app.version ?? 0) + 1 },
        ...(unset.length ? { $unset: Object.fromEntries(unset.map((f) => [f, 1])) } : {}),
      },
    ).exec();
    if (pendingStatuses.includes(app.status) && !pendingStatuses.includes(to)) {
      await stores().pending.deleteOne({ _id: `${app.lawyerId}:${app.caseId}` });
      await owned.pendingByProcuratorate.left(app.procuratorateId, app._id);
    }
    const updated = await load(app._id);
    // The lawyer hears why: a decision's reason, or what the prosecutor asked for (issue 15).
    const said = [fields.decisionReason, fields.materialsRequestNote].find(
      (v): v is string => typeof v === 'string',
    );
    await publish(updated, said);
    return updated;
  }

  async function publish(app: BindingApplicationDoc, reason?: string) {
    const c = await models.Case.findById(app.caseId)
      .select('caseName')
      .lean<{ caseName: string }>()
      .exec();
    const payload: BindingChangedPayload = {
      applicationId: app._id,
      lawyerId: app.lawyerId,
      procuratorateId: app.procuratorateId,
      caseId: app.caseId,
      status: app.status,
      ...(reason ? { reason } : {}),
      ...(c ? { caseName: c.caseName } : {}),
    };
    await bus().publish(bindingChangedTopic, payload);
  }

  function ownApplication(identity: Identity, app: BindingApplicationDoc) {
    const lawyer = requireRole(identity, 'LAWYER');
    if (app.lawyerId !== lawyer.lawyerId) throw new AppError('FORBIDDEN', '只能操作本人的申请。');
    return lawyer;
  }
  function reviewer(identity: Identity, app: BindingApplicationDoc) {
    const prosecutor = requireRole(identity, 'PROSECUTOR');
    if (prosecutor.procuratorateId !== app.procuratorateId)
      throw new AppError('FORBIDDEN', '只能审核本院的申请。');
    return prosecutor;
  }

  return {
    /** 【申请绑定】→【确定】. Validates the form and materials, needs BIND_CASE, refuses a second pending application (CONFLICT). */
    async submit(identity: Identity, input: BindingInput): Promise<BindingApplicationDoc> {
      const lawyer = requireRole(identity, 'LAWYER');
      const fields = {
        lawyerRole: text('lawyerRole', '律师身份', input.lawyerRole),
        suspectName: text('suspectName', '犯罪嫌疑人/被告人姓名', input.suspectName),
        clientName: text('clientName', '委托人', input.clientName),
        clientRelation: text('clientRelation', '委托人关系', input.clientRelation),
      };
      const c = await models.Case.findById(input.caseId).lean().exec();
      if (!c) throw new AppError('NOT_FOUND', '案件不存在，请核对受理检察院和部门受案号。');
      // The lawyer must know whom they defend: the name typed must be one of the case's suspects.
      if (!c.suspects.some((s: string) => samePerson(s, fields.suspectName))) {
        throw new AppError(
          'SUSPECT_MISMATCH',
          '犯罪嫌疑人/被告人姓名与该案件不符，请核对后重新填写。',
          { field: 'suspectName' },
        );
      }
      const docs = await attachments.ownedBy(lawyer.lawyerId, input.attachmentIds ?? []);
      const missing = missingKinds(fields.clientRelation, new Set(docs.map((d) => d.kind)));
      if (missing.length)
        throw new AppError('BAD_USER_INPUT', '请上传所需的全部材料。', {
          field: 'attachmentIds',
          missingKinds: missing,
        });
      const key = `${lawyer.lawyerId}:${c._id}`;
      if (await stores().pending.findOne({ _id: key }))
        throw new AppError('CONFLICT', '该案件已有待审核的绑定申请。');
      const approved = { caseId: c._id, status: 'APPROVED' };
      if ((await owned.bindingsByLawyer.find(lawyer.lawyerId, approved, { limit: 1 })).length)
        throw new AppError('CONFLICT', '您已绑定该案件。');
      await requireStepUp(identity, 'BIND_CASE', stores().stepUps);
      const id = newId();
      // The insert under the unique key decides; the read above only spares a needless step-up.
      if (!(await claimOnce(stores().pending, key, { applicationId: id, at: new Date() })))
        throw new AppError('CONFLICT', '该案件已有待审核的绑定申请。');
      try {
        // Into the owners' indexes first (FerretDB's id sets), then the application itself.
        await owned.bindingsByLawyer.added(lawyer.lawyerId, id);
        await owned.pendingByProcuratorate.added(c.procuratorateId, id);
        await owned.bindingsByProcuratorate.added(c.procuratorateId, id);
        await models.BindingApplication.create({
          _id: id,
          lawyerId: lawyer.lawyerId,
          caseId: c._id,
          procuratorateId: c.procuratorateId,
          status: 'SUBMITTED',
          ...fields,
          attachmentIds: docs.map((d) => d._id),
        } as never);
      } catch (err) {
        await stores().pending.deleteOne({ _id: key });
        throw err;
      }
      const app = await load(id);
      await publish(app);
      return app;
    },

    /** The lawyer withdraws their own pending application. */
    async withdraw(identity: Identity, id: string) {
      const app = await load(id);
      const lawyer = ownApplication(identity, app);
      return transition(app, pendingStatuses, 'WITHDRAWN', lawyer.lawyerId, {
        decidedAt: new Date(),
      });
    },

    /**
     * The lawyer adds the materials asked for (a non-verified session with a BIND_CASE step-up,
     * as when applying); the application returns to review (SUBMITTED).
     */
    async addMaterials(identity: Identity, id: string, attachmentIds: string[]) {
      const app = await load(id);
      const lawyer = ownApplication(identity, app);
      if (!attachmentIds?.length)
        throw new AppError('BAD_USER_INPUT', '请上传补充材料。', { field: 'attachmentIds' });
      const docs = await attachments.ownedBy(lawyer.lawyerId, attachmentIds);
      if (app.status !== 'MATERIALS_REQUESTED')
        throw new AppError('CONFLICT', '申请状态已变化，请刷新后重试。', { status: app.status });
      await requireStepUp(identity, 'BIND_CASE', stores().stepUps);
      const ids = [...new Set([...app.attachmentIds, ...docs.map((d) => d._id)])];
      return transition(
        app,
        ['MATERIALS_REQUESTED'],
        'SUBMITTED',
        lawyer.lawyerId,
        { attachmentIds: ids },
        ['materialsRequestNote'],
      );
    },

    /** A prosecutor of the case's procuratorate approves: the case becomes a bound case. */
    async approve(identity: Identity, id: string) {
      const app = await load(id);
      const p = reviewer(identity, app);
      return transition(app, ['SUBMITTED'], 'APPROVED', p.prosecutorId, { decidedAt: new Date() });
    },

    /** Rejects with a reason (shown to the lawyer and sent by SMS). */
    async reject(identity: Identity, id: string, reason: string) {
      const app = await load(id);
      const p = reviewer(identity, app);
      return transition(
        app,
        pendingStatuses,
        'REJECTED',
        p.prosecutorId,
        { decidedAt: new Date(), decisionReason: reasonText(reason, '驳回理由') },
        ['materialsRequestNote'],
      );
    },

    /** Asks the lawyer for missing materials. */
    async requestMaterials(identity: Identity, id: string, note: string) {
      const app = await load(id);
      const p = reviewer(identity, app);
      return transition(app, ['SUBMITTED'], 'MATERIALS_REQUESTED', p.prosecutorId, {
        materialsRequestNote: reasonText(note, '补充材料说明'),
      });
    },

    /** Revokes an approved binding: the case is no longer bound for the lawyer. */
    async revoke(identity: Identity, id: string, reason: string) {
      const app = await load(id);
      const p = reviewer(identity, app);
      return transition(app, ['APPROVED'], 'REVOKED', p.prosecutorId, {
        decidedAt: new Date(),
        decisionReason: reasonText(reason, '撤销理由'),
      });
    },
  };
}
export type BindingWorkflow = ReturnType<typeof createBindingWorkflow>;
