import type { Connection } from 'mongoose';
import type { EventBus } from '@yuejuan/runtime';
import { casesModels } from '../models/index.ts';
import type { BlobStore } from '@yuejuan/runtime/storage';
import { createAttachmentService } from './attachment.service.ts';
import { createBindingService } from './binding.service.ts';
import { createBindingWorkflow, type WorkflowStores } from './binding-workflow.service.ts';
import { createCaseService } from './case.service.ts';
import { createIntakeService } from './intake.service.ts';

export interface CasesServiceDeps {
  /** Where workflow changes are published (the import CLI has none and never changes workflows). */
  bus?: EventBus;
  /** Where attachments are stored. */
  blobs?: BlobStore;
  /** Largest attachment (bytes); default 10 MB. */
  attachmentMaxBytes?: number;
}

const missing = (what: string) => () => {
  throw new Error(`cases services were created without ${what}`);
};

/** The cases subgraph's services over its own connection (also used by the import CLI and tests). */
export function createCasesServices(connection: Connection, deps: CasesServiceDeps = {}) {
  const models = casesModels(connection);
  const stores = (): WorkflowStores => {
    const db = connection.db!;
    return {
      pending: db.collection('pending_bindings'),
      decisions: db.collection('binding_decisions'),
      stepUps: db.collection('step_up_claims'),
    };
  };
  const blobs = deps.blobs ? () => deps.blobs! : missing('a blob store');
  const bus = deps.bus ? () => deps.bus! : missing('an event bus');
  const attachments = createAttachmentService(
    models,
    blobs,
    deps.attachmentMaxBytes ?? 10 * 1024 * 1024,
  );
  return {
    models,
    cases: createCaseService(models),
    intake: createIntakeService(models, () => connection.db!.collection('intake_requests')),
    bindings: createBindingService(models),
    attachments,
    workflow: createBindingWorkflow(models, attachments, stores, bus as () => EventBus),
    blobs: blobs as () => BlobStore,
  };
}
export type CasesServices = ReturnType<typeof createCasesServices>;
export type { ProcuratorateInput, CaseInput } from './case.service.ts';
export type { BindingInput } from './binding-workflow.service.ts';
