// Resolver types of the cases subgraph (src/generated/resolvers.ts), from schema/cases.graphql:
// each GraphQL type mapped to the value its resolvers receive.
//
//   npx tsx scripts/codegen.ts [--check]   (npm run codegen -w @yuejuan/cases)
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
    Procuratorate: `${models}#ProcuratorateDoc`,
    Case: `${models}#CaseDoc`,
    CaseSummary: `${models}#CaseDoc`,
    BindingApplication: `${models}#BindingApplicationDoc`,
    Attachment: `${models}#AttachmentDoc`,
    Lawyer: `${parents}#EntityRef`,
    BindingApplicationConnection: `${parents}#BindingApplicationPage`,
    CaseConnection: `${parents}#CasePage`,
  },
};

if (process.argv[1] === fileURLToPath(import.meta.url))
  await runResolverCodegen('cases', generatedPath, config);
