import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  getNamedType,
  isInterfaceType,
  isObjectType,
  isUnionType,
  parse,
  printSchema,
  validate,
  type GraphQLField,
  type GraphQLSchema,
} from 'graphql';
import { Supergraph } from '@apollo/federation-internals';
import { buildASTSchema } from 'graphql';
import { composeServices } from '@apollo/composition';
import { composeSupergraph } from '../../src/index.ts';
import {
  buildContract,
  contractPath,
  readContract,
  scopesJson,
  scopesOfElement,
  scopesPath,
} from '../../src/contract.ts';

const supergraphSdl = composeSupergraph().supergraphSdl!;
const contract = buildContract(supergraphSdl);
/** The whole API as people's sessions see it, and the supergraph with every directive on its AST. */
const api = Supergraph.build(supergraphSdl).apiSchema().toGraphQLJSSchema();
const annotated = buildASTSchema(parse(supergraphSdl), { assumeValidSDL: true });
const roots = ['Query', 'Mutation', 'Subscription'];

const fieldsOf = (schema: GraphQLSchema) => {
  const all = new Map<string, GraphQLField<unknown, unknown>>();
  for (const type of Object.values(schema.getTypeMap()))
    if (!type.name.startsWith('__') && (isObjectType(type) || isInterfaceType(type)))
      for (const field of Object.values(type.getFields()))
        all.set(`${type.name}.${field.name}`, field);
  return all;
};
const scopesOf = (coordinate: string) => {
  const [typeName, fieldName] = coordinate.split('.') as [string, string];
  const type = annotated.getType(typeName);
  if (!type || !(isObjectType(type) || isInterfaceType(type))) return undefined;
  const field = type.getFields()[fieldName];
  return field ? scopesOfElement(field) : undefined;
};
const publicFields = fieldsOf(contract.schema);

/**
 * Fields an application's scopes open that are deliberately not in the contract: the gateway
 * refuses them to applications (the contract is checked before any scope), so integrators
 * never see them. Each with why.
 */
const scopedButInternal: Record<string, string> = {
  'Lawyer.phone': 'the full number is for the lawyer and administrators: phoneMasked is public',
  'Lawyer.registered': 'the portal account’s own state (完善信息), not the lawyer’s identity',
  'Lawyer.consent': 'the portal’s 授权信息 record, not the application’s consent',
  'Lawyer.hasPassword': 'login security of the portal account',
  'Lawyer.devices': 'the verifier devices that sign logins: login security',
};

describe('the integrators’ contract', () => {
  it('matches the committed schema/contract.graphql and schema/scopes.json (run `npm run compose`)', () => {
    expect(readContract()).toBe(contract.sdl);
    expect(readFileSync(scopesPath, 'utf8')).toBe(scopesJson(contract));
    expect(contractPath.endsWith('schema/contract.graphql')).toBe(true);
  });

  it('keeps only tagged fields, and every type a kept field needs', () => {
    expect(Object.keys(contract.schema.getQueryType()!.getFields()).sort()).toEqual([
      'appointment',
      'bindingApplication',
      'case',
      'lawyer',
      'readingApplication',
      'viewer',
    ]);
    expect(Object.keys(contract.schema.getMutationType()!.getFields())).toEqual(['intakeCase']);
    expect(contract.schema.getSubscriptionType()).toBeUndefined();
    // What intakeCase takes and answers is there, whole (inputs and enums are never cut).
    expect(contract.schema.getType('CaseInput')).toBeDefined();
    expect(contract.schema.getType('CaseStage')).toBeDefined();
    // Every operation an integrator writes against the contract is valid against the full API.
    for (const [coordinate, field] of publicFields) {
      const [typeName, fieldName] = coordinate.split('.') as [string, string];
      const full = api.getType(typeName);
      expect(full && (isObjectType(full) || isInterfaceType(full)), coordinate).toBeTruthy();
      const fullField = (
        full as { getFields(): Record<string, GraphQLField<unknown, unknown>> }
      ).getFields()[fieldName]!;
      expect(String(fullField.type), coordinate).toBe(String(field.type));
    }
  });

  it('has @requiresScopes on every root field, so every public field is behind a scope', () => {
    const unscoped = [...publicFields.keys()].filter(
      (c) => roots.includes(c.split('.')[0]!) && !scopesOf(c),
    );
    expect(unscoped).toEqual([]);
    // Non-root fields without their own scope are reached only through those root fields.
    expect(contract.schema.getSubscriptionType()).toBeUndefined();
  });

  it('contains every scoped field an application can reach, except the stated ones', () => {
    // What an application may reach today: the scoped root fields, then every field of the types
    // they answer (a field without its own scope is open once its parent is reached).
    const reached = new Set<string>();
    const seenTypes = new Set<string>();
    const pending: string[] = [];
    for (const name of roots) {
      const root = api.getType(name);
      if (!root || !isObjectType(root)) continue;
      for (const field of Object.values(root.getFields())) {
        if (!scopesOf(`${name}.${field.name}`)) continue; // closed to applications
        reached.add(`${name}.${field.name}`);
        pending.push(getNamedType(field.type).name);
      }
    }
    while (pending.length) {
      const type = api.getType(pending.pop()!);
      if (!type || seenTypes.has(type.name)) continue;
      seenTypes.add(type.name);
      if (isUnionType(type)) pending.push(...type.getTypes().map((t) => t.name));
      if (isInterfaceType(type)) pending.push(...api.getPossibleTypes(type).map((t) => t.name));
      if (isObjectType(type) || isInterfaceType(type))
        for (const field of Object.values(type.getFields())) {
          reached.add(`${type.name}.${field.name}`);
          pending.push(getNamedType(field.type).name);
        }
    }
    const scopedReached = [...reached].filter((c) => scopesOf(c));
    expect(scopedReached.length).toBeGreaterThan(20);
    const missing = scopedReached.filter((c) => !publicFields.has(c) && !scopedButInternal[c]);
    expect(
      missing,
      'scoped fields applications reach: tag them @tag(name: "public") in their SDL, or state why not in scopedButInternal',
    ).toEqual([]);
    // The stated exceptions are real: scoped, reachable, and kept out.
    for (const c of Object.keys(scopedButInternal)) {
      expect(scopedReached, c).toContain(c);
      expect(publicFields.has(c), c).toBe(false);
    }
  });

  it('never shows staff, audit, internal or prosecutor-only parts of the API', () => {
    const internalTypes = [
      'Prosecutor',
      'Session',
      'AuditEvent',
      'Application',
      'ApplicationSecret',
      'AppAuthorization',
      'Device',
      'LoginTicket',
      'VerificationChallenge',
      'SessionsEnded',
      'SmsMessage',
      'DevSms',
      'DownloadRecord',
      'DownloadGrant',
      'ReadingActivity',
      'Redaction',
      'OnlineReading',
      'ReceptionSlot',
    ];
    expect(internalTypes.filter((t) => contract.schema.getType(t))).toEqual([]);
    const internalFields = [
      'Query.bindingReviewQueue',
      'Query.readingReviewQueue',
      'Query.appointmentQueue',
      'Query.auditEvents',
      'Query.applications',
      'Query.smsMessages',
      'Query.devSmsInbox',
      'Query.prosecutor',
      'Query.findCase',
      'Mutation.createCase',
      'Mutation.approveBindingApplication',
      'Mutation.registerApplication',
      'Mutation.publishPackage',
      'Viewer.session',
      'Viewer.prosecutor',
      'Procuratorate.cases',
      'Procuratorate.reviewers',
      'Case.volumes',
      'CaseFilePackage.downloads',
      'CaseFilePackage.readingActivity',
    ];
    // They exist in the full API (this list is not stale) and not in the contract.
    for (const c of internalFields) expect(fieldsOf(api).has(c), c).toBe(true);
    expect(internalFields.filter((c) => publicFields.has(c))).toEqual([]);
    // Whatever the SDL describes as for staff only never becomes public by a stray tag.
    const staffOnly =
      /^(Prosecutors?|Administrators?)\b[:.]|administrators only|\(administrators only\)|prosecutors of (its|the) procuratorate( and administrators)? only|The gateway's own/i;
    const leaked = [...publicFields].filter(([, f]) => staffOnly.test(f.description ?? ''));
    expect(leaked.map(([c]) => c)).toEqual([]);
    expect(printSchema(contract.schema)).not.toMatch(
      /@inaccessible|join__|link__|@tag|@requiresScopes/,
    );
  });

  it('validates integrators’ operations and refuses internal ones as unknown fields', () => {
    const ok = parse(
      '{ viewer { lawyer { name boundCases { edges { node { caseName procuratorate { name } } } } } } }',
    );
    expect(validate(contract.schema, ok)).toEqual([]);
    const internal = validate(contract.schema, parse('{ bindingReviewQueue { totalCount } }'));
    expect(internal.map((e) => e.message)).toEqual([
      'Cannot query field "bindingReviewQueue" on type "Query".',
    ]);
    expect(validate(api, parse('{ bindingReviewQueue { totalCount } }'))).toEqual([]);
  });

  it('lists each public field with its scopes in scopes.json', () => {
    const doc = JSON.parse(readFileSync(scopesPath, 'utf8')) as {
      fields: { coordinate: string; scopes: string[][] }[];
      byScope: Record<string, string[]>;
    };
    expect(doc.fields.find((f) => f.coordinate === 'Query.case')?.scopes).toEqual([
      ['bindings:read'],
      ['cases:read'],
    ]);
    expect(doc.byScope['cases:write']).toEqual(['Mutation.intakeCase']);
    for (const f of doc.fields) {
      expect(publicFields.has(f.coordinate), f.coordinate).toBe(true);
      expect(f.scopes).toEqual(scopesOf(f.coordinate));
    }
  });

  it('filters as Apollo contracts do: tagged fields or types, unreachable types dropped', () => {
    const sdl = (extra: string) =>
      composeServices([
        {
          name: 'one',
          url: 'http://127.0.0.1:1/graphql',
          typeDefs: parse(`
            extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key", "@tag"])
            type Query {
              open: Open @tag(name: "public")
              whole: Whole @tag(name: "public")
              hidden: Hidden
              ${extra}
            }
            type Open { id: ID! @tag(name: "public") secret: String kind: Kind @tag(name: "public") }
            type Whole @tag(name: "public") { a: Int b: Int }
            type Hidden { x: Int }
            type Empty { y: Int }
            enum Kind { ONE TWO }
          `),
        },
      ]).supergraphSdl!;
    const small = buildContract(sdl('')).sdl;
    expect(small).toMatch(/type Open \{\s+id: ID!\s+kind: Kind\s+\}/);
    expect(small).toMatch(/type Whole \{\s+a: Int\s+b: Int\s+\}/);
    expect(small).toMatch(/enum Kind \{\s+ONE\s+TWO\s+\}/);
    expect(small).not.toMatch(/Hidden|hidden|secret|Empty/);
    // A public field whose type keeps no public field would vanish silently: it is an error.
    expect(() => buildContract(sdl('empty: Empty @tag(name: "public")'))).toThrow(
      /Query.empty is tagged public but is not in the contract/,
    );
  });
});
