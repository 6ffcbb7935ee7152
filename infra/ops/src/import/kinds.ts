import { AppError } from '@yuejuan/runtime';
import type { IdentityServices } from '@yuejuan/identity/services';
import type { CasesServices } from '@yuejuan/cases/services';
import { booleanCell, cell, listCell, optionalCell } from './cells.ts';

/** What the import CLI can load, in the order a fresh installation loads them. */
export const importKinds = ['procuratorates', 'cases', 'lawyers', 'prosecutors'] as const;
export type ImportKind = (typeof importKinds)[number];

/** True when `value` names an import kind. */
export const isImportKind = (value: string): value is ImportKind =>
  (importKinds as readonly string[]).includes(value);

/**
 * The services an import writes through. Only the side a kind needs must be present: lawyers
 * and prosecutors go to identity, procuratorates and cases to cases; identity never reads
 * cases' data, so a prosecutor's procuratorate is stored as given.
 */
export interface ImportServices {
  identity?: Pick<IdentityServices, 'registry'>;
  cases?: Pick<CasesServices, 'cases'>;
}

/** Which side of ImportServices a kind writes to. */
export const serviceOf: Record<ImportKind, keyof ImportServices> = {
  lawyers: 'identity',
  prosecutors: 'identity',
  procuratorates: 'cases',
  cases: 'cases',
};

type Values = Record<string, unknown>;
type Importer = (
  values: Values,
  services: Required<ImportServices>,
) => Promise<'created' | 'updated'>;

function exclusionOf(values: Values) {
  const category = optionalCell(values, 'exclusionCategory')?.toUpperCase();
  const reason = optionalCell(values, 'exclusionReason');
  if (!category && reason)
    throw new AppError(
      'BAD_USER_INPUT',
      '填写了不予网上阅卷原因，但未填写类别（exclusionCategory）。',
      { field: 'exclusionCategory' },
    );
  return category ? { category, reason: reason ?? '' } : null;
}

/** One row → one service call; validation beyond the shape of the cells is the service's. */
export const importers: Record<ImportKind, Importer> = {
  lawyers: (v, s) =>
    s.identity.registry.importLawyer({
      name: cell(v, 'name'),
      idNumber: cell(v, 'idNumber').trim(),
      licenceNumber: cell(v, 'licenceNumber').trim(),
      lawFirm: cell(v, 'lawFirm'),
    }),

  prosecutors: (v, s) =>
    s.identity.registry.importProsecutor({
      name: cell(v, 'name'),
      username: cell(v, 'username'),
      procuratorateId: cell(v, 'procuratorateId').trim(),
      phone: optionalCell(v, 'phone'),
      initialPassword: optionalCell(v, 'initialPassword'),
    }),

  procuratorates: (v, s) =>
    s.cases.cases.importProcuratorate({
      id: cell(v, 'id').trim(),
      name: cell(v, 'name'),
      province: cell(v, 'province'),
      onlineReadingEnabled: booleanCell(v, 'onlineReadingEnabled'),
    }),

  cases: (v, s) =>
    s.cases.cases.importCase(cell(v, 'procuratorateId').trim(), {
      departmentCaseNumber: cell(v, 'departmentCaseNumber'),
      caseName: cell(v, 'caseName'),
      suspects: listCell(v, 'suspects'),
      stage: cell(v, 'stage').trim().toUpperCase(),
      readingExclusion: exclusionOf(v),
    }),
};
