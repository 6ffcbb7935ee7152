// Build step: collects the GraphQL operations of the clients (clients/*/src) into the manifest
// the gateway accepts in production (persisted-operations.json, sha256 → document).
//
//   npx tsx clients/operations/src/extract.ts [--clients DIR] [--out FILE] [--check]   (npm run extract -w @yuejuan/operations)
//
// Found: *.graphql / *.gql files, and in code (.ts .js .svelte …) gql`…` and graphql`…`
// tagged templates, graphql(`…`) calls (gql.tada) and string or template literals marked /* GraphQL */. Fragments are shared
// across files by name (`${Fragment}` interpolations are dropped and the fragment found by
// name). Each named operation becomes one document: the operation and the fragments it uses,
// printed by graphql-js `print`, so clients send sha256(print(document)). Every operation is
// validated against the committed supergraph's API schema: a client query broken by a schema
// change fails the build, not production.
import {
  readdirSync,
  readFileSync,
  renameSync,
  writeFileSync,
  existsSync,
  statSync,
} from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  Kind,
  parse,
  print,
  validate,
  type DefinitionNode,
  type FragmentDefinitionNode,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from 'graphql';
import { Supergraph } from '@apollo/federation-internals';
import { canonicalOperation, documentHash, MissingFragment, readSupergraph } from '@yuejuan/schema';

const here = fileURLToPath(new URL('.', import.meta.url));
const repoRoot = resolve(here, '../../..');

/** The manifest in this repository: committed, read by the apps' builds and (by default) the gateway. */
export const manifestPath = join(repoRoot, 'clients', 'operations', 'persisted-operations.json');
const codeFile = /\.(?:[cm]?[jt]sx?|svelte|vue)$/;
const graphqlFile = /\.(?:graphql|gql)$/;
const skipped = new Set(['node_modules', '.svelte-kit', 'build', 'dist', '.turbo']);
// Test harnesses and this tool live beside the clients but ship to nobody: not persisted.
const notClients = new Set(['e2e', 'operations']);

/** Source files under every `<clientsDir>/<client>/src` (test harnesses such as e2e excluded). */
export function findSourceFiles(clientsDir: string): string[] {
  if (!existsSync(clientsDir)) return [];
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (skipped.has(entry.name)) continue;
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (codeFile.test(entry.name) || graphqlFile.test(entry.name)) files.push(path);
    }
  };
  for (const client of readdirSync(clientsDir, { withFileTypes: true })) {
    const src = join(clientsDir, client.name, 'src');
    if (
      client.isDirectory() &&
      !notClients.has(client.name) &&
      existsSync(src) &&
      statSync(src).isDirectory()
    )
      walk(src);
  }
  return files.sort();
}

// A template literal body (interpolations may hold nested braces but not backticks) or a quoted string.
const template = '`((?:[^`\\\\$]|\\\\.|\\$(?!\\{)|\\$\\{[^}`]*\\})*)`';
const quoted = `'((?:[^'\\\\\\n]|\\\\.)*)'|"((?:[^"\\\\\\n]|\\\\.)*)"`;
// The tag must start an expression: not the end of a path or URL such as `…/graphql` + backtick.
const tagged = new RegExp(`(?<![\\w$./:-])(?:gql|graphql)\\s*(?:<[^>]*>)?\\s*${template}`, 'g');
// gql.tada's typed documents: graphql(`…`) or graphql(`…`, [Fragment]) (the fragment is found by name).
const called = new RegExp(`(?<![\\w$./:-])graphql\\s*\\(\\s*(?:${template}|${quoted})`, 'g');
const marked = new RegExp(`/\\*\\s*GraphQL\\s*\\*/\\s*(?:${template}|${quoted})`, 'g');

/** A GraphQL text found in a file; `interpolated` when `${…}` parts were dropped from it. */
export interface FoundDocument {
  text: string;
  interpolated: boolean;
}

/** The GraphQL texts of one file (whole file for .graphql; tagged or marked literals otherwise). */
export function extractDocuments(text: string, file: string): FoundDocument[] {
  if (graphqlFile.test(file)) return text.trim() ? [{ text, interpolated: false }] : [];
  const found: FoundDocument[] = [];
  for (const pattern of [tagged, called, marked]) {
    for (const match of text.matchAll(pattern)) {
      const body = match[1] ?? match[2] ?? match[3] ?? '';
      const stripped = body.replace(/\$\{[^}]*\}/g, '');
      found.push({ text: stripped.replace(/\\(.)/g, '$1'), interpolated: stripped !== body });
    }
  }
  return found;
}

export interface ExtractedOperation {
  name: string;
  type: string;
  file: string;
  hash: string;
  document: string;
}

/**
 * Builds the manifest from source texts. Throws (naming the file) on a syntax error, an
 * anonymous operation, an operation or fragment name defined twice differently, a missing
 * fragment, or an operation the schema does not accept.
 */
export function buildManifest(sources: { file: string; text: string }[], schema?: GraphQLSchema) {
  const operations = new Map<string, { node: OperationDefinitionNode; file: string }>();
  const fragments = new Map<string, { node: FragmentDefinitionNode; file: string }>();
  for (const { file, text } of sources) {
    for (const source of extractDocuments(text, file)) {
      let definitions: readonly DefinitionNode[];
      try {
        definitions = parse(source.text, { noLocation: true }).definitions;
      } catch (err) {
        const hint = source.interpolated
          ? ' (a ${…} interpolation was dropped here: persisted operations must be static text; share selections with fragments)'
          : '';
        throw new Error(`${file}: ${(err as Error).message}${hint}`, { cause: err });
      }
      for (const def of definitions) {
        if (def.kind === Kind.OPERATION_DEFINITION) {
          if (!def.name)
            throw new Error(
              `${file}: an anonymous ${def.operation}; persisted operations need a name`,
            );
          const seen = operations.get(def.name.value);
          if (seen && print(seen.node) !== print(def))
            throw new Error(
              `${file}: operation ${def.name.value} also defined differently in ${seen.file}`,
            );
          operations.set(def.name.value, { node: def, file });
        } else if (def.kind === Kind.FRAGMENT_DEFINITION) {
          const seen = fragments.get(def.name.value);
          if (seen && print(seen.node) !== print(def))
            throw new Error(
              `${file}: fragment ${def.name.value} also defined differently in ${seen.file}`,
            );
          fragments.set(def.name.value, { node: def, file });
        }
      }
    }
  }
  const extracted: ExtractedOperation[] = [];
  for (const [name, { node, file }] of [...operations].sort(([a], [b]) => a.localeCompare(b))) {
    let document: string;
    try {
      document = canonicalOperation(node, (fragment) => fragments.get(fragment)?.node);
    } catch (err) {
      if (err instanceof MissingFragment)
        throw new Error(
          `${file}: operation ${name} uses fragment ${err.fragment}, defined nowhere`,
          {
            cause: err,
          },
        );
      throw err;
    }
    if (schema) {
      const errors = validate(schema, parse(document));
      if (errors.length)
        throw new Error(
          `${file}: operation ${name} does not match the schema: ${errors.map((e) => e.message).join('; ')}`,
        );
    }
    extracted.push({ name, type: node.operation, file, hash: documentHash(document), document });
  }
  const manifest = Object.fromEntries(
    extracted.map((o) => [o.hash, o.document]).sort(([a], [b]) => a!.localeCompare(b!)),
  );
  return { manifest, operations: extracted };
}

/** The schema clients may query: the supergraph's API schema. */
export const apiSchema = (supergraphSdl = readSupergraph()): GraphQLSchema =>
  Supergraph.build(supergraphSdl).apiSchema().toGraphQLJSSchema();

/**
 * Extracts from `clientsDir` and writes `out` when it changed; with `check`, only reports whether
 * `out` is current. The write is a rename: the three apps' builds run it in parallel, and a
 * gateway starting meanwhile must never read half a manifest.
 */
export function extractOperations(options: { clientsDir: string; out: string; check?: boolean }) {
  const files = findSourceFiles(options.clientsDir);
  const { manifest, operations } = buildManifest(
    files.map((file) => ({ file: relative(repoRoot, file), text: readFileSync(file, 'utf8') })),
    apiSchema(),
  );
  const json = `${JSON.stringify(manifest, null, 2)}\n`;
  const current = existsSync(options.out) ? readFileSync(options.out, 'utf8') : '';
  if (!options.check && current !== json) {
    const temporary = `${options.out}.${process.pid}.tmp`;
    writeFileSync(temporary, json);
    renameSync(temporary, options.out);
  }
  return { operations, files: files.length, upToDate: current === json };
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const arg = (flag: string) => {
    const i = process.argv.indexOf(flag);
    return i > 0 ? process.argv[i + 1] : undefined;
  };
  const clientsDir = resolve(arg('--clients') ?? join(repoRoot, 'clients'));
  const out = resolve(arg('--out') ?? manifestPath);
  const check = process.argv.includes('--check');
  try {
    const result = extractOperations({ clientsDir, out, check });
    console.log(
      `${result.operations.length} operations from ${result.files} files → ${relative(process.cwd(), out)}${check ? (result.upToDate ? ' (up to date)' : ' (OUT OF DATE)') : ''}`,
    );
    if (check && !result.upToDate) process.exitCode = 1;
  } catch (err) {
    console.error(`extract-operations: ${(err as Error).message}`);
    process.exitCode = 1;
  }
}
