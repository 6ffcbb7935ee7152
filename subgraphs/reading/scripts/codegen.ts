// Resolver types of the reading subgraph (src/generated/resolvers.ts), from schema/reading.graphql:
// each GraphQL type mapped to the value its resolvers receive.
//
//   npx tsx scripts/codegen.ts [--check]   (npm run codegen -w @yuejuan/reading)
import { fileURLToPath } from 'node:url';
import { runResolverCodegen, type ResolverTypesConfig } from '@yuejuan/schema/codegen';

export const generatedPath = fileURLToPath(
  new URL('../src/generated/resolvers.ts', import.meta.url),
);
const models = '../models/index.ts';
const parents = '../resolvers/parents.ts';
export const config: ResolverTypesConfig = {
  contextType: '../context.ts#Context',
  mappers: {
    ReadingApplication: `${models}#ReadingApplicationDoc`,
    Appointment: `${models}#AppointmentDoc`,
    ReceptionSlot: `${models}#ReceptionSlotView`,
    Volume: `${parents}#VolumeView`,
    CaseFilePackage: `${models}#PackageDoc`,
    DownloadRecord: `${models}#DownloadDoc`,
    Lawyer: `${parents}#EntityRef`,
    Case: `${parents}#EntityRef`,
    Prosecutor: `${parents}#EntityRef`,
    ReadingApplicationConnection: `${parents}#ReadingApplicationPage`,
    AppointmentConnection: `${parents}#AppointmentPage`,
    OnlineReading: `${models}#ReaderGrantDoc`,
    ReadingNote: `${models}#ReadingNoteDoc`,
    ReadingActivity: `${parents}#ReadingActivityView`,
    Redaction: `${models}#RedactionDoc`,
  },
};

if (process.argv[1] === fileURLToPath(import.meta.url))
  await runResolverCodegen('reading', generatedPath, config);
