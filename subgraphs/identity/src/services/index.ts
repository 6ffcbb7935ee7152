import type { Connection } from 'mongoose';
import { identityModels } from '../models/index.ts';
import { createRegistryService } from './registry.service.ts';
import { createSessionService, type SessionSettings } from './session.service.ts';

export interface IdentitySettings extends SessionSettings {
  idHashKey: string;
}

/** The identity subgraph's services over its own connection (also used by the import CLI and tests). */
export function createIdentityServices(connection: Connection, settings: IdentitySettings) {
  const models = identityModels(connection);
  return {
    models,
    registry: createRegistryService(models, settings.idHashKey),
    sessions: createSessionService(models, settings),
  };
}
export type IdentityServices = ReturnType<typeof createIdentityServices>;
export * from './validation.ts';
export { hashIdNumber, type RegistryLawyerInput, type ProsecutorInput } from './registry.service.ts';
export { tokenDigest, type NewSession } from './session.service.ts';
export { nextStep } from './lawyer.service.ts';
