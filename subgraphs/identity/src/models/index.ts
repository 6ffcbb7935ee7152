import type { Connection } from 'mongoose';
import { administratorModel } from './administrator.model.ts';
import { lawyerModel } from './lawyer.model.ts';
import { prosecutorModel } from './prosecutor.model.ts';
import { sessionModel } from './session.model.ts';

/** The identity subgraph's models, registered on its own connection. */
export function identityModels(connection: Connection) {
  return { Administrator: administratorModel(connection), Lawyer: lawyerModel(connection), Prosecutor: prosecutorModel(connection), Session: sessionModel(connection) };
}
export type IdentityModels = ReturnType<typeof identityModels>;
export type { LawyerDoc } from './lawyer.model.ts';
export type { ProsecutorDoc } from './prosecutor.model.ts';
export type { SessionDoc } from './session.model.ts';
export type { AdministratorDoc } from './administrator.model.ts';
