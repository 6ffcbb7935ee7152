import { fileURLToPath } from 'node:url';
import type { ImportKind } from '../import/kinds.ts';

/** The committed demo data; the files double as examples of the import formats. */
export const demoDir = fileURLToPath(new URL('../../demo/', import.meta.url));

/** Demo files in load order: a case needs its procuratorate first. */
export const demoFiles: readonly { kind: ImportKind; file: string }[] = [
  { kind: 'procuratorates', file: `${demoDir}procuratorates.csv` },
  { kind: 'cases', file: `${demoDir}cases.csv` },
  { kind: 'lawyers', file: `${demoDir}lawyers.csv` },
  { kind: 'prosecutors', file: `${demoDir}prosecutors.json` },
];

/** The platform administrator of the demo (not an import kind: one account, no file). */
/** The demo administrator: logs in with this password and an SMS code from the dev inbox. Demo only. */
export const demoAdministrator = {
  name: '平台管理员',
  username: 'admin',
  phone: '13800000000',
  initialPassword: 'Yuejuan-Demo-2025',
};
