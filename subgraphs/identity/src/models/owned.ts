import { keyIndex, ownedIndex } from '@yuejuan/runtime';
import type { ApplicationOperationDoc } from './application-operation.model.ts';
import type { DeviceDoc } from './device.model.ts';
import type { AuditEventDoc } from './audit-event.model.ts';
import type { IdentityModels } from './index.ts';
import type { LawyerDoc } from './lawyer.model.ts';
import type { SessionDoc } from './session.model.ts';

const byModels = new WeakMap<object, ReturnType<typeof create>>();

const create = (models: IdentityModels) => ({
  /** A lawyer's verifier devices (个人中心 lists them). */
  devicesByLawyer: ownedIndex<DeviceDoc>({
    model: models.Device,
    owner: 'lawyerId',
    collection: 'lawyer_devices',
  }),
  /** The sessions of a lawyer or staff member (ended together on a password change or a device revocation). */
  sessionsBySubject: ownedIndex<SessionDoc & { _id: string }>({
    model: models.Session,
    owner: 'subjectId',
    collection: 'subject_sessions',
  }),
  /** The audit records of an actor (the console's 审计日志 filtered by person). */
  auditByActor: ownedIndex<AuditEventDoc>({
    model: models.AuditEvent,
    owner: 'actorId',
    collection: 'actor_audit_events',
  }),
  /** The audit records about a target (an application's history). */
  auditByTarget: ownedIndex<AuditEventDoc>({
    model: models.AuditEvent,
    owner: 'targetId',
    collection: 'target_audit_events',
  }),
  /** A lawyer by licence number (执业证号): activation's register check, the register import. */
  lawyerByLicence: keyIndex<LawyerDoc>({
    model: models.Lawyer,
    fields: ['licenceNumber'],
    collection: 'lawyer_licences',
  }),
  /** An application's registered operations (its allowlist, read by the gateway on a change). */
  operationsByApplication: ownedIndex<ApplicationOperationDoc>({
    model: models.ApplicationOperation,
    owner: 'clientId',
    collection: 'application_operation_ids',
  }),
});

/**
 * The identity documents read by owner: MongoDB answers them from the models' indexes, FerretDB
 * from id sets kept by `_id` (runtime ownedIndex). One per set of models, so its one-time checks
 * run once per process.
 */
export function identityOwned(models: IdentityModels): ReturnType<typeof create> {
  let owned = byModels.get(models.Device);
  if (!owned) byModels.set(models.Device, (owned = create(models)));
  return owned;
}
