import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isObjectType, type GraphQLSchema, type GraphQLResolveInfo } from 'graphql';
import { anonymous } from '@yuejuan/runtime/testing';
import { startStack, type Stack } from './stack.ts';

/**
 * The fields of the contract that answer NOT_IMPLEMENTED until their issue lands. This list
 * may only shrink: implementing a field means deleting its line here; a field that stops
 * working shows up as a new entry and fails this test.
 */
const expected = [
  'cases: BindingApplication.attachments',
  'cases: Mutation.addBindingMaterials',
  'cases: Mutation.approveBindingApplication',
  'cases: Mutation.rejectBindingApplication',
  'cases: Mutation.requestBindingMaterials',
  'cases: Mutation.revokeBinding',
  'cases: Mutation.submitBindingApplication',
  'cases: Mutation.withdrawBindingApplication',
  'identity: Lawyer.devices',
  'identity: Mutation.acceptConsent',
  'identity: Mutation.completeActivation',
  'identity: Mutation.completeProfile',
  'identity: Mutation.confirmLoginTicket',
  'identity: Mutation.confirmVerificationChallenge',
  'identity: Mutation.createLoginTicket',
  'identity: Mutation.createVerificationChallenge',
  'identity: Mutation.loginWithPassword',
  'identity: Mutation.loginWithSmsCode',
  'identity: Mutation.prosecutorLogin',
  'identity: Mutation.redeemLoginTicket',
  'identity: Mutation.rejectLoginTicket',
  'identity: Mutation.renewSession',
  'identity: Mutation.requestActivationSmsCode',
  'identity: Mutation.requestLoginSmsCode',
  'identity: Mutation.requestProsecutorSmsCode',
  'identity: Mutation.revokeDevice',
  'identity: Mutation.scanLoginTicket',
  'identity: Mutation.setPassword',
  'identity: Mutation.startActivation',
  'identity: Mutation.submitFaceVerification',
  'identity: Query.auditEvents',
  'identity: Query.loginTicket',
  'identity: Query.scanContext',
  'identity: Query.verificationChallenge',
  'identity: Subscription.loginTicketChanged',
  'identity: Subscription.verificationChallengeChanged',
  'notifications: Query.devSmsInbox',
  'notifications: Query.smsMessages',
  'notifications: Subscription.notificationAdded',
  'reading: Appointment.__resolveReference',
  'reading: Case.volumes',
  'reading: CaseFilePackage.__resolveReference',
  'reading: Lawyer.appointments',
  'reading: Lawyer.readingApplications',
  'reading: Mutation.acknowledgeReceipt',
  'reading: Mutation.approveReadingApplication',
  'reading: Mutation.arrangeVolumes',
  'reading: Mutation.deleteVolume',
  'reading: Mutation.publishPackage',
  'reading: Mutation.rejectReadingApplication',
  'reading: Mutation.requestNewPackagePasswords',
  'reading: Mutation.revokePackage',
  'reading: Mutation.submitReadingApplication',
  'reading: Mutation.unlockDownload',
  'reading: Query.appointment',
  'reading: Query.readingApplication',
  'reading: Query.readingReviewQueue',
  'reading: ReadingApplication.__resolveReference',
  'reading: Subscription.packageChanged',
  'reading: Subscription.readingApplicationChanged',
];

describe('fields not implemented yet', () => {
  let stack: Stack;
  beforeAll(async () => { stack = await startStack('notimpl'); });
  afterAll(async () => { await stack?.stop(); });

  const listed = () => Object.entries(stack.subgraphs).flatMap(([name, s]) => s.notImplemented.map((c) => `${name}: ${c}`)).sort();

  it('are exactly the listed ones (the list can only shrink)', () => {
    expect(listed()).toEqual([...expected].sort());
  });

  it('each answers a NOT_IMPLEMENTED error, never data', async () => {
    const refusals: string[] = [];
    for (const entry of listed()) {
      const [name, coordinate] = entry.split(': ') as [keyof Stack['subgraphs'], string];
      const schema: GraphQLSchema = stack.subgraphs[name].schema;
      const [typeName, fieldName] = coordinate.split('.') as [string, string];
      const type = schema.getType(typeName);
      if (!isObjectType(type)) throw new Error(`${coordinate}: no such type`);
      const context = { identity: anonymous, loaders: {} };
      const resolver = fieldName === '__resolveReference'
        ? (type.extensions as { apollo?: { subgraph?: { resolveReference?: Function } } }).apollo?.subgraph?.resolveReference
        : type.getFields()[fieldName]?.resolve;
      try {
        await resolver?.({}, {}, context, {} as GraphQLResolveInfo);
      } catch (err) {
        if ((err as { extensions?: { code?: string } }).extensions?.code === 'NOT_IMPLEMENTED') refusals.push(entry);
      }
    }
    expect(refusals).toEqual(listed());
  });

  it('keeps the code through the gateway (codes survive composition)', async () => {
    const result = await stack.query('mutation { createLoginTicket { ticketSecret } }');
    expect(result.data ?? null).toBeNull();
    expect(result.errors?.[0]?.extensions?.code).toBe('NOT_IMPLEMENTED');
    expect(result.errors?.[0]?.message).toMatch(/尚未开放/);
  });
});
