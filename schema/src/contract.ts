// The integrators' contract: the part of the API that applications (OAuth access tokens) may
// use, filtered from the supergraph as Apollo's contracts do. Elements are tagged
// `@tag(name: "public")` in the subgraph SDLs; the contract is the supergraph's API schema with
// - every object or interface field removed unless it, or its type, is tagged public;
// - every union removed unless tagged public;
// - then every type no public field reaches removed (enums, inputs and scalars stay whole when
//   reachable: an argument or a value an application may send or receive is never cut).
// A public field whose type keeps no public field is an error, not a silent cut.
// `npm run compose` writes it to schema/contract.graphql and the scopes of its fields to
// schema/scopes.json; the gateway builds the same contract from the supergraph it serves.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  buildASTSchema,
  isInterfaceType,
  isObjectType,
  isUnionType,
  Kind,
  parse,
  printSchema,
  validateSchema,
  type ConstDirectiveNode,
  type ConstValueNode,
  type GraphQLNamedType,
  type GraphQLSchema,
} from 'graphql';
import { Supergraph } from '@apollo/federation-internals';
import { filterSchema, pruneSchema } from '@graphql-tools/utils';

/** The tag that puts an element in the integrators' contract. */
export const publicTag = 'public';

const here = (file: string) => fileURLToPath(new URL(`../${file}`, import.meta.url));

/** Path of the committed contract schema (what integrators build against). */
export const contractPath = here('contract.graphql');
/** Path of the committed field → scopes table of the contract (the developer page reads it). */
export const scopesPath = here('scopes.json');

type Directed = { astNode?: { directives?: readonly ConstDirectiveNode[] } | null };

const stringsOf = (value: ConstValueNode): string[] =>
  value.kind === Kind.STRING
    ? [value.value]
    : value.kind === Kind.LIST
      ? value.values.flatMap(stringsOf)
      : [];

/** The `name`s of an element's `@tag` directives. */
const tagsOf = (element: Directed): string[] =>
  (element.astNode?.directives ?? [])
    .filter((d) => d.name.value === 'tag')
    .flatMap((d) => {
      const name = d.arguments?.find((a) => a.name.value === 'name');
      return name ? stringsOf(name.value) : [];
    });

/** The scope sets of an element's `@requiresScopes` (alternatives of scopes all needed), if any. */
export const scopesOfElement = (element: Directed): string[][] | undefined => {
  const directive = element.astNode?.directives?.find(
    (d) => d.name.value === 'requiresScopes' || d.name.value === 'federation__requiresScopes',
  );
  const argument = directive?.arguments?.find((a) => a.name.value === 'scopes');
  if (!argument) return undefined;
  const value = argument.value;
  const alternatives = value.kind === Kind.LIST ? value.values : [value];
  return alternatives.map(stringsOf);
};

const rootNames = ['Query', 'Mutation', 'Subscription'] as const;

/** One field of the contract with the scopes an application needs for it. */
export interface ContractField {
  /** `Type.field`. */
  coordinate: string;
  /** Query, mutation, subscription (a root field) or a field of an object type. */
  kind: 'query' | 'mutation' | 'subscription' | 'field';
  /** Alternatives, each a list of scopes that must all be held; none: no scope of its own. */
  scopes: string[][] | null;
  description: string | null;
}

export interface Contract {
  /** The contract as a graphql-js schema (no resolvers: for validation and introspection). */
  schema: GraphQLSchema;
  /** The contract's SDL as written to schema/contract.graphql. */
  sdl: string;
  /** The public fields with their scopes (schema/scopes.json). */
  fields: ContractField[];
}

/** The supergraph as graphql-js reads its SDL: every directive application is on the AST. */
const supergraphAst = (supergraphSdl: string) =>
  buildASTSchema(parse(supergraphSdl), { assumeValidSDL: true });

/**
 * The integrators' contract of a supergraph. Throws when the tags make no valid schema (a
 * public field whose type has no public field, an empty Query).
 */
export function buildContract(supergraphSdl: string): Contract {
  const full = supergraphAst(supergraphSdl);
  const taggedTypes = new Set<string>();
  const taggedFields = new Set<string>();
  for (const type of Object.values(full.getTypeMap())) {
    if (type.name.startsWith('__')) continue;
    if (tagsOf(type).includes(publicTag)) taggedTypes.add(type.name);
    if (isObjectType(type) || isInterfaceType(type))
      for (const field of Object.values(type.getFields()))
        if (tagsOf(field).includes(publicTag)) taggedFields.add(`${type.name}.${field.name}`);
  }
  const isPublic = (typeName: string, fieldName: string) =>
    taggedTypes.has(typeName) || taggedFields.has(`${typeName}.${fieldName}`);

  // The API schema (join and link plumbing gone, @inaccessible elements removed), then the filter.
  const api = Supergraph.build(supergraphSdl).apiSchema().toGraphQLJSSchema();
  const filtered = filterSchema({
    schema: api,
    rootFieldFilter: (operation, fieldName) => isPublic(operation, fieldName),
    objectFieldFilter: (typeName, fieldName) => isPublic(typeName, fieldName),
    interfaceFieldFilter: (typeName, fieldName) => isPublic(typeName, fieldName),
    typeFilter: (typeName, type) => !isUnionType(type) || taggedTypes.has(typeName),
  });
  const schema = pruneSchema(filtered);

  const problems = [...validateSchema(schema).map((e) => e.message)];
  for (const coordinate of taggedFields) {
    const [typeName, fieldName] = coordinate.split('.') as [string, string];
    const apiType = api.getType(typeName);
    if (!apiType || !(isObjectType(apiType) || isInterfaceType(apiType))) continue;
    if (!apiType.getFields()[fieldName]) continue; // @inaccessible: never in the API
    const kept = schema.getType(typeName);
    if (!kept || !(isObjectType(kept) || isInterfaceType(kept)) || !kept.getFields()[fieldName])
      problems.push(
        `${coordinate} is tagged public but is not in the contract (its type keeps no public field, or no public field reaches it)`,
      );
  }
  if (problems.length) throw new Error(`invalid contract:\n${problems.join('\n')}`);

  const fields: ContractField[] = [];
  for (const type of Object.values(schema.getTypeMap())) {
    if (type.name.startsWith('__') || !(isObjectType(type) || isInterfaceType(type))) continue;
    const fullType = full.getType(type.name);
    const root = (rootNames as readonly string[]).includes(type.name);
    for (const field of Object.values(type.getFields())) {
      const fullField =
        fullType && (isObjectType(fullType) || isInterfaceType(fullType))
          ? fullType.getFields()[field.name]
          : undefined;
      fields.push({
        coordinate: `${type.name}.${field.name}`,
        kind: root ? (type.name.toLowerCase() as ContractField['kind']) : 'field',
        scopes: (fullField && scopesOfElement(fullField)) ?? null,
        description: field.description ?? null,
      });
    }
  }
  fields.sort((a, b) => a.coordinate.localeCompare(b.coordinate));
  const sdl = `${contractHeader}${printSchema(schema)}\n`;
  return { schema, sdl, fields };
}

const contractHeader =
  '# 阅卷 Yuejuan: the integrators’ contract schema (applications with an OAuth access token).\n' +
  '# Generated by `npm run compose` from the elements tagged @tag(name: "public") in the subgraph\n' +
  '# SDLs: do not edit. Scopes of each field: schema/scopes.json.\n\n';

/** The scopes table of a contract, as schema/scopes.json holds it. */
export function scopesDocument(contract: Contract) {
  const byScope: Record<string, string[]> = {};
  for (const field of contract.fields)
    for (const scope of new Set(field.scopes?.flat() ?? []))
      (byScope[scope] ??= []).push(field.coordinate);
  for (const list of Object.values(byScope)) list.sort();
  return {
    $comment:
      'Generated by `npm run compose`: the fields of the integrators’ contract (schema/contract.graphql) and the OAuth scopes each needs (alternatives, each a list of scopes all needed; null: no scope of its own, reached through a scoped field). Do not edit.',
    fields: contract.fields.filter((f) => f.scopes),
    byScope: Object.fromEntries(Object.entries(byScope).sort(([a], [b]) => a.localeCompare(b))),
  };
}

/** The text of schema/scopes.json. */
export const scopesJson = (contract: Contract): string =>
  `${JSON.stringify(scopesDocument(contract), null, 2)}\n`;

/** The committed contract SDL. */
export const readContract = (): string => readFileSync(contractPath, 'utf8');

/** Whether a type is one of the contract's (for callers holding only the name). */
export const inContract = (contract: Contract, type: GraphQLNamedType | string): boolean =>
  Boolean(contract.schema.getType(typeof type === 'string' ? type : type.name));
