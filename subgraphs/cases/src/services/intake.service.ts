import { createHash } from 'node:crypto';
import type { Collection } from 'mongodb';
import { AppError, claimOnce, requireRole, type Identity } from '@yuejuan/runtime';
import type { CaseDoc, CasesModels } from '../models/index.ts';
import { insertCaseOnce, validateCase, type CaseInput } from './case.service.ts';

/** One intake request of a procuratorate system, recorded once under `${clientId}:${requestId}`. */
export interface IntakeRequestDoc {
  _id: string;
  fingerprint: string;
  procuratorateId: string;
  departmentCaseNumber: string;
  at: Date;
  caseId?: string;
  created?: boolean;
}

/**
 * Case intake by procuratorate systems (检察业务应用系统, client credentials): a case of the
 * system's own procuratorate, keyed by its 部门受案号 as the import CLI keys it. The request id
 * is recorded by inserting it under a unique `_id` (exactly once on FerretDB too): a repeated
 * request answers the case it made and changes nothing; the same id with other content is
 * refused. Two requests racing for a new number create one case: its 部门受案号 is taken by one
 * insert (models/owned.ts `caseByNumber`), which both then answer.
 */
export function createIntakeService(
  models: CasesModels,
  requests: () => Collection<IntakeRequestDoc>,
) {
  return {
    async intakeCase(identity: Identity, requestId: string, input: CaseInput) {
      const system = requireRole(identity, 'SYSTEM');
      if (!/^[A-Za-z0-9_.:-]{8,64}$/.test(requestId))
        throw new AppError('BAD_USER_INPUT', '请求号应为 8 至 64 位字母、数字或 _.:-。', {
          field: 'requestId',
        });
      const fields = validateCase({ ...input, readingExclusion: null });
      const { readingExclusion: _none, ...caseFields } = fields;
      const procuratorateId = system.procuratorateId;
      if (!(await models.Procuratorate.exists({ _id: procuratorateId })))
        throw new AppError('FORBIDDEN', '该系统所属的检察院不存在。');
      const key = `${system.app.clientId}:${requestId}`;
      const fingerprint = createHash('sha256').update(JSON.stringify(caseFields)).digest('hex');
      const first = await claimOnce(requests(), key, {
        fingerprint,
        procuratorateId,
        departmentCaseNumber: caseFields.departmentCaseNumber,
        at: new Date(),
      });
      if (!first) {
        const prior = await requests().findOne({ _id: key });
        if (prior && prior.fingerprint !== fingerprint)
          throw new AppError('CONFLICT', '该请求号已用于其他案件内容，请使用新的请求号。', {
            field: 'requestId',
          });
        const done = prior?.caseId
          ? await models.Case.findById(prior.caseId).lean<CaseDoc>().exec()
          : null;
        if (done) return { case: done, created: false, replayed: true };
        // The first attempt stopped before recording its case: finish it (keyed by the number).
      }
      // Two requests racing for a new number create one case (insertCaseOnce).
      const { id, created } = await insertCaseOnce(models, procuratorateId, caseFields);
      if (!created && first)
        await models.Case.updateOne(
          { _id: id },
          { $set: caseFields },
          { runValidators: true },
        ).exec();
      const doc = (await models.Case.findById(id).lean<CaseDoc>().exec())!;
      await requests().updateOne({ _id: key }, { $set: { caseId: id, created } });
      return { case: doc, created, replayed: !first };
    },
  };
}
export type IntakeService = ReturnType<typeof createIntakeService>;
