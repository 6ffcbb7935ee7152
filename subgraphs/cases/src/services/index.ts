import type { Connection } from 'mongoose';
import { casesModels } from '../models/index.ts';
import { createBindingService } from './binding.service.ts';
import { createCaseService } from './case.service.ts';

/** The cases subgraph's services over its own connection (also used by the import CLI and tests). */
export function createCasesServices(connection: Connection) {
  const models = casesModels(connection);
  return { models, cases: createCaseService(models), bindings: createBindingService(models) };
}
export type CasesServices = ReturnType<typeof createCasesServices>;
export type { ProcuratorateInput, CaseInput } from './case.service.ts';
