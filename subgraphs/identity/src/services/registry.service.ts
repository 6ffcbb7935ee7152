import { createHmac } from 'node:crypto';
import type { Model } from 'mongoose';
import { AppError, isDuplicateKey } from '@yuejuan/runtime';
import type { IdentityModels } from '../models/index.ts';
import { check, idNumberProblem, licenceNumberProblem, maskIdNumber, phoneProblem } from './validation.ts';

/** One lawyer of the justice ministry's register, as imported. */
export interface RegistryLawyerInput {
  name: string;
  idNumber: string;
  licenceNumber: string;
  lawFirm: string;
}

/** One prosecutor account, as imported. */
export interface ProsecutorInput {
  name: string;
  username: string;
  procuratorateId: string;
  phone?: string;
}

/** Keyed hash of a resident ID number: matches activation input without storing the number. */
export function hashIdNumber(key: string, idNumber: string): string {
  return createHmac('sha256', key).update(idNumber.toUpperCase()).digest('hex');
}

const required = (field: string, value: unknown): string => {
  if (typeof value !== 'string' || !value.trim()) throw new AppError('BAD_USER_INPUT', `${field} 不能为空。`, { field });
  return value.trim();
};

/**
 * Imports the register and prosecutor accounts, idempotently: a row is keyed by its licence
 * number (lawyers) or username (prosecutors); importing it again updates it in place.
 */
export function createRegistryService(models: IdentityModels, idHashKey: string) {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- one upsert for both models
  async function upsert(model: Model<any>, key: Record<string, string>, fields: Record<string, unknown>): Promise<'created' | 'updated'> {
    const existing = await model.findOne(key).select('_id').lean().exec();
    if (existing) {
      await model.updateOne({ _id: existing._id }, { $set: fields }, { runValidators: true }).exec();
      return 'updated';
    }
    try {
      await model.create({ ...key, ...fields });
      return 'created';
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
      return upsert(model, key, fields); // another importer created it first
    }
  }

  return {
    /** Validates and imports one register row. */
    async importLawyer(row: RegistryLawyerInput): Promise<'created' | 'updated'> {
      const name = required('姓名', row.name);
      const idNumber = required('身份证号', row.idNumber).toUpperCase();
      const licenceNumber = required('执业证号', row.licenceNumber);
      const lawFirm = required('律师事务所', row.lawFirm);
      check('idNumber', idNumberProblem(idNumber));
      check('licenceNumber', licenceNumberProblem(licenceNumber));
      return upsert(models.Lawyer, { licenceNumber }, { name, lawFirm, idNumberHash: hashIdNumber(idHashKey, idNumber), idNumberMasked: maskIdNumber(idNumber) });
    },

    /** Validates and imports one prosecutor account. */
    async importProsecutor(row: ProsecutorInput): Promise<'created' | 'updated'> {
      const name = required('姓名', row.name);
      const username = required('用户名', row.username).toLowerCase();
      const procuratorateId = required('检察院', row.procuratorateId);
      if (!/^[a-z0-9_.-]{3,32}$/.test(username)) throw new AppError('BAD_USER_INPUT', '用户名应为3至32位小写字母、数字或 _ . -。', { field: 'username' });
      const phone = row.phone?.trim() || undefined;
      if (phone) check('phone', phoneProblem(phone));
      return upsert(models.Prosecutor, { username }, { name, procuratorateId, ...(phone ? { phone } : {}) });
    },

    /** Creates or updates an administrator account, keyed by username. */
    async importAdministrator(row: { name: string; username: string }): Promise<'created' | 'updated'> {
      const name = required('姓名', row.name);
      const username = required('用户名', row.username).toLowerCase();
      if (!/^[a-z0-9_.-]{3,32}$/.test(username)) throw new AppError('BAD_USER_INPUT', '用户名应为3至32位小写字母、数字或 _ . -。', { field: 'username' });
      return upsert(models.Administrator, { username }, { name });
    },
  };
}
export type RegistryService = ReturnType<typeof createRegistryService>;
