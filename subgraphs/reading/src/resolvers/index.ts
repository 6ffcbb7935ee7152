import type { EventBus } from '@yuejuan/runtime';
import type { Context } from '../context.ts';
import type { AppointmentDoc } from '../models/index.ts';
import type { Resolvers } from '../generated/resolvers.ts';
import type { ReadingServices } from '../services/index.ts';
import { CaseFilePackage, DownloadRecord } from './CaseFilePackage.ts';
import { Case, Lawyer } from './Lawyer.ts';
import { Mutation } from './Mutation.ts';
import { Query } from './Query.ts';
import { Appointment, ReadingApplication, ReceptionSlot, Volume } from './ReadingApplication.ts';
import { Subscription } from './Subscription.ts';
import { OnlineReading, ReadingActivity, ReadingNote, Redaction } from './Reader.ts';

/** The reading resolvers; each type hands off to the services. */
export const createResolvers = (services: ReadingServices, bus: EventBus): Resolvers => ({
  Query: Query(services),
  Mutation: Mutation(services),
  Subscription: Subscription(bus),
  ReadingApplication,
  Appointment: {
    ...Appointment,
    calendar: (a: AppointmentDoc, _: unknown, { identity }: Context) =>
      services.bookings.calendar(identity, a),
  },
  ReceptionSlot,
  Volume: Volume(services),
  Redaction,
  CaseFilePackage: CaseFilePackage(services),
  DownloadRecord,
  OnlineReading: OnlineReading(services),
  ReadingNote,
  ReadingActivity,
  Lawyer: Lawyer(services),
  Case: Case(services),
});
