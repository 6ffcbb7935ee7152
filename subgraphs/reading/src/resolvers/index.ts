import { readingTerms } from '../services/terms.ts';

/** The reading resolvers built so far; the rest of the contract answers NOT_IMPLEMENTED. */
export const createResolvers = () => ({
  Query: { readingTerms: () => readingTerms },
  Lawyer: { __resolveReference: ({ id }: { id: string }) => ({ id }) },
  Case: { __resolveReference: ({ id }: { id: string }) => ({ id }) },
});

/** Entities and fields of the contract whose issue (cases and reading) has not landed yet. */
export const pending = ['ReadingApplication', 'Appointment', 'CaseFilePackage', 'Lawyer.readingApplications', 'Lawyer.appointments', 'Case.volumes'];
