import type { IdentityServices } from '../services/index.ts';
import { Lawyer } from './Lawyer.ts';
import { Mutation } from './Mutation.ts';
import { Prosecutor } from './Prosecutor.ts';
import { Query } from './Query.ts';
import { Viewer } from './Viewer.ts';

/** The identity resolvers; each type's file hands off to the services. */
export const createResolvers = (services: IdentityServices) => ({
  Query,
  Mutation: Mutation(services),
  Viewer: Viewer(services),
  Lawyer,
  Prosecutor,
});

/** Entity fields of the contract whose issue has not landed yet (root fields are found by themselves). */
export const pending = ['Lawyer.devices'];
