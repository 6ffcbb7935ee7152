// Writes src/graphql-env.d.ts: the API schema as gql.tada's introspection type, from which
// `graphql(…)` in the apps infers every operation's result and variables. Run after the schema
// changes (npm run compose does); `--check` fails when the committed file is stale (npm test).
//
//   npx tsx clients/shared/scripts/graphql-env.ts [--check]
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { introspectionFromSchema } from 'graphql';
import { minifyIntrospection, outputIntrospectionFile } from '@gql.tada/internal';
import { apiSchema } from '@yuejuan/operations';

export const graphqlEnvPath = fileURLToPath(new URL('../src/graphql-env.d.ts', import.meta.url));

/** The file's text for the committed supergraph's API schema. */
export function graphqlEnv(): string {
  const text = outputIntrospectionFile(
    minifyIntrospection(introspectionFromSchema(apiSchema(), { descriptions: false })),
    { fileType: '.d.ts', shouldPreprocess: true },
  );
  return text.endsWith('\n') ? text : `${text}\n`;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const text = graphqlEnv();
  const current = existsSync(graphqlEnvPath) ? readFileSync(graphqlEnvPath, 'utf8') : '';
  if (process.argv.includes('--check')) {
    if (current !== text) {
      console.error('clients/shared/src/graphql-env.d.ts is stale: run npm run types');
      process.exit(1);
    }
  } else if (current !== text) writeFileSync(graphqlEnvPath, text);
}
