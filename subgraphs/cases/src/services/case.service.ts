import {
  AppError,
  pageSize,
  decodeCursor,
  lazyConnection,
  newId,
  requireRole,
  type Identity,
  type PageArgs,
} from '@yuejuan/runtime';
import type { CaseDoc, CasesModels, ProcuratorateDoc } from '../models/index.ts';
import { casesOwned, caseStages, exclusionCategories } from '../models/index.ts';
import { assertProcuratorateStaff } from './access.ts';

export interface ProcuratorateInput {
  id: string;
  name: string;
  province: string;
  onlineReadingEnabled: boolean;
}

export interface CaseInput {
  departmentCaseNumber: string;
  caseName: string;
  suspects: string[];
  stage: string;
  readingExclusion?: { category: string; reason: string } | null;
}

const text = (field: string, value: unknown, max = 200): string => {
  if (typeof value !== 'string' || !value.trim())
    throw new AppError('BAD_USER_INPUT', `${field}不能为空。`, { field });
  if (value.trim().length > max)
    throw new AppError('BAD_USER_INPUT', `${field}过长（最多${max}字）。`, { field });
  return value.trim();
};

/**
 * A 部门受案号 as stored and looked up: the year's brackets as 〔〕 whichever a person typed
 * ([] 【】 () （） ［］ 〔〕), no spaces, full-width digits and letters as ASCII. Applied once, on the
 * way in and on lookup, so "沪检刑诉（2025）12号" finds "沪检刑诉〔2025〕12号".
 */
export function canonicalCaseNumber(value: string): string {
  return value
    .normalize('NFKC')
    .replace(/\s+/g, '')
    .replace(/[[【(（［〔]/g, '〔')
    .replace(/[\]】)）］〕]/g, '〕');
}

function validateExclusion(category: string, reason: unknown) {
  if (!(exclusionCategories as readonly string[]).includes(category))
    throw new AppError('BAD_USER_INPUT', '不予网上阅卷的类别无效。', { field: 'category' });
  return {
    category: category as (typeof exclusionCategories)[number],
    reason: text('不予网上阅卷原因', reason),
  };
}

/** A case's fields, checked and canonical (部门受案号), or BAD_USER_INPUT naming the field. */
export function validateCase(input: CaseInput) {
  const suspects = (input.suspects ?? []).map((s) => s.trim()).filter(Boolean);
  if (suspects.length === 0)
    throw new AppError('BAD_USER_INPUT', '请填写至少一名犯罪嫌疑人/被告人。', {
      field: 'suspects',
    });
  if (!(caseStages as readonly string[]).includes(input.stage))
    throw new AppError('BAD_USER_INPUT', '诉讼阶段无效。', { field: 'stage' });
  return {
    departmentCaseNumber: canonicalCaseNumber(text('部门受案号', input.departmentCaseNumber, 64)),
    caseName: text('案件名称', input.caseName),
    suspects,
    stage: input.stage as (typeof caseStages)[number],
    readingExclusion: input.readingExclusion
      ? validateExclusion(input.readingExclusion.category, input.readingExclusion.reason)
      : undefined,
  };
}

/** A case's checked fields (validateCase). */
export type CaseFields = ReturnType<typeof validateCase>;

/**
 * The one way a case is inserted (import, intake, a prosecutor's entry): under its 部门受案号 once
 * (models/owned.ts `caseByNumber`), in its procuratorate's list. Answers the case's id and
 * whether this call created it; an existing case is left as it is.
 */
export function insertCaseOnce(
  models: CasesModels,
  procuratorateId: string,
  fields: Omit<CaseFields, 'readingExclusion'> & {
    readingExclusion?: CaseFields['readingExclusion'];
  },
): Promise<{ id: string; created: boolean }> {
  const owned = casesOwned(models);
  return owned.caseByNumber.insertOnce(
    { procuratorateId, departmentCaseNumber: fields.departmentCaseNumber },
    newId,
    async (id) => {
      await owned.casesByProcuratorate.added(procuratorateId, id);
      await models.Case.create({ _id: id, procuratorateId, ...fields });
    },
  );
}

/** Procuratorates and their cases: import, entry by prosecutors, the pilot switch. */
export function createCaseService(models: CasesModels) {
  const owned = casesOwned(models);
  return {
    /** Procuratorates, by province and pilot, in code order. */
    async listProcuratorates(
      province?: string | null,
      onlineReadingOnly = false,
    ): Promise<ProcuratorateDoc[]> {
      const filter: Record<string, unknown> = {};
      if (province) filter.province = province;
      if (onlineReadingOnly) filter.onlineReadingEnabled = true;
      return models.Procuratorate.find(filter).sort({ _id: 1 }).lean<ProcuratorateDoc[]>().exec();
    },

    /** Imports one procuratorate; keyed by its code, so importing again updates it. */
    async importProcuratorate(row: ProcuratorateInput): Promise<'created' | 'updated'> {
      const id = text('检察院编码', row.id, 40);
      if (!/^[A-Za-z0-9-]{2,40}$/.test(id))
        throw new AppError('BAD_USER_INPUT', '检察院编码只能包含字母、数字和 -。', { field: 'id' });
      const fields = {
        name: text('检察院名称', row.name),
        province: text('省份', row.province, 20),
        onlineReadingEnabled: !!row.onlineReadingEnabled,
      };
      const result = await models.Procuratorate.updateOne(
        { _id: id },
        { $set: fields },
        { upsert: true, runValidators: true },
      ).exec();
      return result.upsertedCount ? 'created' : 'updated';
    },

    /** Imports one case of a known procuratorate; keyed by (procuratorate, 部门受案号). */
    async importCase(procuratorateId: string, input: CaseInput): Promise<'created' | 'updated'> {
      if (!(await models.Procuratorate.exists({ _id: procuratorateId })))
        throw new AppError('BAD_USER_INPUT', `检察院 ${procuratorateId} 不存在。`, {
          field: 'procuratorateId',
        });
      const fields = validateCase(input);
      const { id, created } = await insertCaseOnce(models, procuratorateId, fields);
      if (created) return 'created';
      // A row without exclusion columns clears an earlier exclusion: the file is the truth.
      const { readingExclusion, ...rest } = fields;
      const update = readingExclusion
        ? { $set: fields }
        : { $set: rest, $unset: { readingExclusion: 1 } };
      await models.Case.updateOne({ _id: id }, update, { runValidators: true }).exec();
      return 'updated';
    },

    /** A prosecutor enters a case of their own procuratorate. */
    async createCase(identity: Identity, input: CaseInput): Promise<CaseDoc> {
      const prosecutor = requireRole(identity, 'PROSECUTOR');
      const fields = validateCase(input);
      const { id, created } = await insertCaseOnce(models, prosecutor.procuratorateId, fields);
      if (!created)
        throw new AppError('CONFLICT', '本院已有相同部门受案号的案件。', {
          field: 'departmentCaseNumber',
        });
      return (await models.Case.findById(id).lean<CaseDoc>().exec())!;
    },

    /** A prosecutor marks a case of their procuratorate as excluded from internet reading, or clears it. */
    async setReadingExclusion(
      identity: Identity,
      caseId: string,
      excluded: boolean,
      category?: string | null,
      reason?: string | null,
    ): Promise<CaseDoc> {
      const doc = await models.Case.findById(caseId).lean<CaseDoc>().exec();
      if (!doc) throw new AppError('NOT_FOUND', '案件不存在。');
      assertProcuratorateStaff(identity, doc.procuratorateId);
      if (identity.role !== 'PROSECUTOR' && identity.role !== 'ADMINISTRATOR')
        throw new AppError('FORBIDDEN');
      const update = excluded
        ? { $set: { readingExclusion: validateExclusion(category ?? 'OTHER', reason) } }
        : { $unset: { readingExclusion: 1 } };
      await models.Case.updateOne({ _id: caseId }, update).exec();
      return (await models.Case.findById(caseId).lean<CaseDoc>().exec())!;
    },

    /** An administrator switches online reading for a procuratorate. */
    async setOnlineReading(
      identity: Identity,
      procuratorateId: string,
      enabled: boolean,
    ): Promise<ProcuratorateDoc> {
      requireRole(identity, 'ADMINISTRATOR');
      const result = await models.Procuratorate.updateOne(
        { _id: procuratorateId },
        { $set: { onlineReadingEnabled: enabled } },
      ).exec();
      if (!result.matchedCount) throw new AppError('NOT_FOUND', '检察院不存在。');
      return (await models.Procuratorate.findById(procuratorateId)
        .lean<ProcuratorateDoc>()
        .exec())!;
    },

    /** Cases of a procuratorate, newest first: its staff only. */
    async casesOf(identity: Identity, procuratorateId: string, page: PageArgs) {
      assertProcuratorateStaff(identity, procuratorateId);
      const first = pageSize(page.first);
      const before = page.after ? decodeCursor(page.after) : undefined;
      return lazyConnection({
        first,
        count: () => owned.casesByProcuratorate.count(procuratorateId),
        fetch: () =>
          owned.casesByProcuratorate.find(procuratorateId, {}, { limit: first + 1, before }),
      });
    },

    /** 部门受案号 lookup for a lawyer about to apply for binding: no party details. */
    async findCase(
      identity: Identity,
      procuratorateId: string,
      departmentCaseNumber: string,
    ): Promise<CaseDoc | null> {
      requireRole(identity, 'LAWYER', 'ADMINISTRATOR');
      return owned.caseByNumber.find({
        procuratorateId: String(procuratorateId ?? ''),
        departmentCaseNumber: canonicalCaseNumber(String(departmentCaseNumber ?? '')),
      });
    },
  };
}
export type CaseService = ReturnType<typeof createCaseService>;
