import type { Connection } from 'mongoose';
import { activationModel } from './activation.model.ts';
import { administratorModel } from './administrator.model.ts';
import { applicationModel } from './application.model.ts';
import { applicationOperationModel } from './application-operation.model.ts';
import { auditEventModel } from './audit-event.model.ts';
import { challengeModel } from './challenge.model.ts';
import { deviceModel } from './device.model.ts';
import { lawyerModel } from './lawyer.model.ts';
import { loginTicketModel } from './login-ticket.model.ts';
import { prosecutorModel } from './prosecutor.model.ts';
import { sessionModel } from './session.model.ts';
import type { StepUpClaim } from '@yuejuan/runtime';
import type { CodeDoc } from '../services/sms-code.service.ts';
import type { SlotDoc } from '../services/slots.ts';

/** The identity subgraph's models, registered on its own connection. */
export function identityModels(connection: Connection) {
  return {
    Administrator: administratorModel(connection),
    Lawyer: lawyerModel(connection),
    Prosecutor: prosecutorModel(connection),
    Session: sessionModel(connection),
    Device: deviceModel(connection),
    Activation: activationModel(connection),
    LoginTicket: loginTicketModel(connection),
    Challenge: challengeModel(connection),
    AuditEvent: auditEventModel(connection),
    Application: applicationModel(connection),
    ApplicationOperation: applicationOperationModel(connection),
  };
}
export type IdentityModels = ReturnType<typeof identityModels>;

/** A session id → its token digest (the session document's `_id`); see session.service.ts. */
export interface SessionRefDoc {
  _id: string;
  digest: string;
}

/** Which phone is bound to which lawyer: `_id` is the phone, so a number binds one lawyer, once. */
export interface PhoneBindingDoc {
  _id: string;
  lawyerId: string;
  at: Date;
}

/**
 * Plain collections whose documents are decisions made by inserting under a unique `_id`
 * (slots: counted attempts and limits; claims: single-use steps), or looked up only by `_id`.
 */
export function identityCollections(connection: Connection) {
  const db = connection.getClient().db(connection.name);
  return {
    slots: db.collection<SlotDoc>('slots'),
    claims: db.collection<SlotDoc>('claims'),
    smsCodes: db.collection<CodeDoc>('sms_codes'),
    /** The step-up claims, kept in `claims` beside the other once-only decisions. */
    stepUps: db.collection<StepUpClaim>('claims'),
    phoneBindings: db.collection<PhoneBindingDoc>('phone_bindings'),
    /** FerretDB only: a session id's token digest (the session's `_id`), so it is read by `_id`. */
    sessionRefs: db.collection<SessionRefDoc>('session_refs'),
  };
}
export type IdentityCollections = ReturnType<typeof identityCollections>;

export { identityOwned } from './owned.ts';
export type { LawyerDoc } from './lawyer.model.ts';
export type { ProsecutorDoc } from './prosecutor.model.ts';
export type { SessionDoc } from './session.model.ts';
export type { AdministratorDoc } from './administrator.model.ts';
export type { DeviceDoc } from './device.model.ts';
export type { ActivationDoc } from './activation.model.ts';
export type { LoginTicketDoc } from './login-ticket.model.ts';
export type { ChallengeDoc } from './challenge.model.ts';
export type { AuditEventDoc } from './audit-event.model.ts';
export type { ApplicationDoc } from './application.model.ts';
export type { ApplicationOperationDoc } from './application-operation.model.ts';
