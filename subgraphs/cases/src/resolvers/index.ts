import type { Resolvers } from '../generated/resolvers.ts';
import type { CasesServices } from '../services/index.ts';
import { BindingApplication } from './BindingApplication.ts';
import { Case, CaseSummary } from './Case.ts';
import { Lawyer } from './Lawyer.ts';
import { Mutation } from './Mutation.ts';
import { Procuratorate } from './Procuratorate.ts';
import { Query } from './Query.ts';
import { Subscription } from './Subscription.ts';
import type { EventBus } from '@yuejuan/runtime';

/** The cases resolvers; each type's file hands off to the services. */
export const createResolvers = (services: CasesServices, bus: EventBus): Resolvers => ({
  Query: Query(services),
  Subscription: Subscription(bus),
  Mutation: Mutation(services),
  Procuratorate: Procuratorate(services),
  Case,
  CaseSummary,
  BindingApplication: BindingApplication(services),
  Lawyer: Lawyer(services),
  Attachment: { id: (a: { _id: string }) => a._id },
});
