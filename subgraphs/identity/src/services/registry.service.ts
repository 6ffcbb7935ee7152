import { createHmac } from 'node:crypto';
import type { Model } from 'mongoose';
import { AppError, isDuplicateKey, newId } from '@yuejuan/runtime';
import { identityOwned, type IdentityModels } from '../models/index.ts';
import { checkPassword, createPasswordHasher, type PasswordHasher } from './password.ts';
import {
  check,
  idNumberProblem,
  licenceNumberProblem,
  maskIdNumber,
  phoneProblem,
} from './validation.ts';

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
  /** Set only when the account has no password yet (a re-import never overwrites one). */
  initialPassword?: string;
}

/** One administrator account, as imported. */
export interface AdministratorInput {
  name: string;
  username: string;
  /** Receives the login SMS code; administrators cannot log in without it. */
  phone?: string;
  /** Set only when the account has no password yet. */
  initialPassword?: string;
}

/** Keyed hash of a resident ID number: matches activation input without storing the number. */
export function hashIdNumber(key: string, idNumber: string): string {
  return createHmac('sha256', key).update(idNumber.toUpperCase()).digest('hex');
}

const required = (field: string, value: unknown): string => {
  if (typeof value !== 'string' || !value.trim())
    throw new AppError('BAD_USER_INPUT', `${field} 不能为空。`, { field });
  return value.trim();
};

/**
 * Imports the register and prosecutor accounts, idempotently: a row is keyed by its licence
 * number (lawyers) or username (prosecutors); importing it again updates it in place.
 */
export function createRegistryService(
  models: IdentityModels,
  idHashKey: string,
  passwords: PasswordHasher = createPasswordHasher(),
) {
  async function upsert(
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read GraphQL and JSON answers freely
    model: Model<any>,
    key: Record<string, string>,
    fields: Record<string, unknown>,
  ): Promise<'created' | 'updated'> {
    const existing = await model.findOne(key).select('_id').lean().exec();
    if (existing) {
      await model
        .updateOne({ _id: existing._id }, { $set: fields }, { runValidators: true })
        .exec();
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

  /** Stores an initial password for an account that has none (hashed; never logged). */
  async function initialPassword(
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read GraphQL and JSON answers freely
    model: Model<any>,
    key: Record<string, string>,
    password: string | undefined,
  ): Promise<void> {
    if (!password) return;
    const account = await model
      .findOne(key)
      .select('_id passwordHash')
      .lean<{ _id: string; passwordHash?: string }>()
      .exec();
    if (account && !account.passwordHash)
      await model
        .updateOne({ _id: account._id }, { $set: { passwordHash: await passwords.hash(password) } })
        .exec();
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
      const fields = {
        name,
        lawFirm,
        idNumberHash: hashIdNumber(idHashKey, idNumber),
        idNumberMasked: maskIdNumber(idNumber),
      };
      // Keyed by licence number once (models/owned.ts): concurrent imports create one lawyer.
      const { id, created } = await identityOwned(models).lawyerByLicence.insertOnce(
        { licenceNumber },
        newId,
        (_id) => models.Lawyer.create({ _id, licenceNumber, ...fields }),
      );
      if (!created)
        await models.Lawyer.updateOne(
          { _id: id },
          { $set: fields },
          { runValidators: true },
        ).exec();
      return created ? 'created' : 'updated';
    },

    /** Validates and imports one prosecutor account. */
    async importProsecutor(row: ProsecutorInput): Promise<'created' | 'updated'> {
      const name = required('姓名', row.name);
      const username = required('用户名', row.username).toLowerCase();
      const procuratorateId = required('检察院', row.procuratorateId);
      if (!/^[a-z0-9_.-]{3,32}$/.test(username))
        throw new AppError('BAD_USER_INPUT', '用户名应为3至32位小写字母、数字或 _ . -。', {
          field: 'username',
        });
      const phone = row.phone?.trim() || undefined;
      if (phone) check('phone', phoneProblem(phone));
      if (row.initialPassword) checkPassword(row.initialPassword, 'initialPassword');
      const result = await upsert(
        models.Prosecutor,
        { username },
        { name, procuratorateId, ...(phone ? { phone } : {}) },
      );
      await initialPassword(models.Prosecutor, { username }, row.initialPassword);
      return result;
    },

    /** Creates or updates an administrator account, keyed by username. */
    async importAdministrator(row: AdministratorInput): Promise<'created' | 'updated'> {
      const name = required('姓名', row.name);
      const username = required('用户名', row.username).toLowerCase();
      if (!/^[a-z0-9_.-]{3,32}$/.test(username))
        throw new AppError('BAD_USER_INPUT', '用户名应为3至32位小写字母、数字或 _ . -。', {
          field: 'username',
        });
      const phone = row.phone?.trim() || undefined;
      if (phone) check('phone', phoneProblem(phone));
      if (row.initialPassword) checkPassword(row.initialPassword, 'initialPassword');
      const result = await upsert(
        models.Administrator,
        { username },
        { name, ...(phone ? { phone } : {}) },
      );
      await initialPassword(models.Administrator, { username }, row.initialPassword);
      return result;
    },

    /** Names, phones (and lawyers' licence numbers, for watermarks) by id, for other subgraphs' messages (`/internal/contacts`). */
    async contacts(ids: string[]): Promise<Contact[]> {
      const [lawyers, prosecutors] = await Promise.all([
        models.Lawyer.find({ _id: { $in: ids } })
          .select('name phone licenceNumber')
          .lean<{ _id: string; name: string; phone?: string; licenceNumber: string }[]>()
          .exec(),
        models.Prosecutor.find({ _id: { $in: ids } })
          .select('name phone')
          .lean<{ _id: string; name: string; phone?: string }[]>()
          .exec(),
      ]);
      const found = new Map<string, Contact>();
      for (const l of lawyers)
        found.set(l._id, {
          id: l._id,
          role: 'LAWYER',
          name: l.name,
          phone: l.phone ?? null,
          licenceNumber: l.licenceNumber,
        });
      for (const p of prosecutors)
        found.set(p._id, { id: p._id, role: 'PROSECUTOR', name: p.name, phone: p.phone ?? null });
      return ids.flatMap((id) => found.get(id) ?? []);
    },

    /** The prosecutors of one procuratorate (`/internal/contacts/by-procuratorate`): who hears of a new application. */
    async prosecutorsOf(procuratorateId: string): Promise<Contact[]> {
      const found = await models.Prosecutor.find({ procuratorateId })
        .select('name phone')
        .lean<{ _id: string; name: string; phone?: string }[]>()
        .exec();
      return found.map((p) => ({
        id: p._id,
        role: 'PROSECUTOR' as const,
        name: p.name,
        phone: p.phone ?? null,
      }));
    },
  };
}
export type RegistryService = ReturnType<typeof createRegistryService>;

/** A person other subgraphs may message. */
export interface Contact {
  id: string;
  role: 'LAWYER' | 'PROSECUTOR';
  name: string;
  phone: string | null;
  licenceNumber?: string;
}
