// The contract's changelog and breaking-change check. The last released contract is committed
// as schema/contract.released.graphql; @graphql-inspector/core compares it with the current
// contract. A breaking change fails `npm test` unless schema/breaking-changes.json records it as
// intended (its type and path, and why); `npm run schema:release -w @yuejuan/schema` appends the
// changes to schema/CHANGELOG.md and makes the current contract the released one.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { buildSchema } from 'graphql';
import { CriticalityLevel, diff, type Change } from '@graphql-inspector/core';
import { contractPath } from './contract.ts';

const here = (file: string) => fileURLToPath(new URL(`../${file}`, import.meta.url));

/** The files of the check, relative to schema/ (tests point them at a temporary copy). */
export interface ContractFiles {
  /** The current contract (written by `npm run compose`). */
  contract: string;
  /** The last released contract. */
  released: string;
  /** The breaking changes recorded as intended since that release. */
  intended: string;
  /** The changelog. */
  changelog: string;
}

export const contractFiles: ContractFiles = {
  contract: contractPath,
  released: here('contract.released.graphql'),
  intended: here('breaking-changes.json'),
  changelog: here('CHANGELOG.md'),
};

/** A breaking change recorded as intended: which change, and why integrators must accept it. */
export interface IntendedChange {
  /** graphql-inspector's change type, e.g. FIELD_REMOVED. */
  type: string;
  /** The schema coordinate it names, e.g. Query.case or Case.stage. */
  path: string;
  /** Why it is made, and what integrators do about it. */
  reason: string;
}

export interface ContractChange {
  type: string;
  path: string;
  message: string;
  level: 'BREAKING' | 'DANGEROUS' | 'NON_BREAKING';
  /** For an intended breaking change: the recorded reason. */
  reason?: string;
}

export interface ContractCheck {
  /** Every change from the released contract to the current one. */
  changes: ContractChange[];
  /** Breaking changes not recorded as intended: these fail the check. */
  unrecorded: ContractChange[];
  /** Recorded intentions that match no change (stale records): these fail the check too. */
  stale: IntendedChange[];
}

const levelOf = (change: Change): ContractChange['level'] =>
  change.criticality.level === CriticalityLevel.Breaking
    ? 'BREAKING'
    : change.criticality.level === CriticalityLevel.Dangerous
      ? 'DANGEROUS'
      : 'NON_BREAKING';

/** The changes from one contract SDL to another, as graphql-inspector classifies them. */
export async function contractChanges(released: string, current: string) {
  const changes = await diff(buildSchema(released), buildSchema(current));
  return changes.map((c): ContractChange => ({
    type: String(c.type),
    path: c.path ?? '',
    message: c.message,
    level: levelOf(c),
  }));
}

/** The text of schema/breaking-changes.json holding `intended`. */
export const intendedText = (intended: readonly IntendedChange[]): string =>
  `${JSON.stringify(
    {
      $comment:
        "Breaking changes to schema/contract.graphql made on purpose since the last release: each with graphql-inspector's change type, the path it names and the reason integrators are told (schema/CHANGELOG.md). npm run schema:release empties the list.",
      intended,
    },
    null,
    2,
  )}\n`;

/** The intended breaking changes recorded in `file` (an empty list when it has none). */
export function readIntended(file: string): IntendedChange[] {
  if (!existsSync(file)) return [];
  const parsed = JSON.parse(readFileSync(file, 'utf8')) as { intended?: IntendedChange[] };
  const intended = parsed.intended ?? [];
  for (const entry of intended)
    if (!entry.type || !entry.path || !entry.reason?.trim())
      throw new Error(`${file}: every intended change needs a type, a path and a reason`);
  return intended;
}

const matches = (change: ContractChange, intended: IntendedChange) =>
  change.type === intended.type && change.path === intended.path;

/** Compares the released contract with the current one and the recorded intentions. */
export async function checkContract(files: ContractFiles = contractFiles): Promise<ContractCheck> {
  const changes = await contractChanges(
    readFileSync(files.released, 'utf8'),
    readFileSync(files.contract, 'utf8'),
  );
  const intended = readIntended(files.intended);
  for (const change of changes) {
    const record = intended.find((i) => matches(change, i));
    if (record && change.level === 'BREAKING') change.reason = record.reason;
  }
  return {
    changes,
    unrecorded: changes.filter(
      (c) => c.level === 'BREAKING' && !intended.some((i) => matches(c, i)),
    ),
    stale: intended.filter((i) => !changes.some((c) => c.level === 'BREAKING' && matches(c, i))),
  };
}

/** A changelog section for `changes` (English, as graphql-inspector words the changes). */
export function changelogSection(title: string, changes: readonly ContractChange[]): string {
  const group = (level: ContractChange['level']) => changes.filter((c) => c.level === level);
  const line = (c: ContractChange) =>
    `- \`${c.path}\` ${c.message}${c.reason ? ` — ${c.reason}` : ''} (${c.type})`;
  const parts = [`## ${title}`, ''];
  for (const [level, heading] of [
    ['BREAKING', 'Breaking (recorded as intended)'],
    ['DANGEROUS', 'Dangerous'],
    ['NON_BREAKING', 'Non-breaking'],
  ] as const) {
    const list = group(level);
    if (list.length) parts.push(`### ${heading}`, '', ...list.map(line), '');
  }
  return parts.join('\n');
}

export type ReleaseResult =
  | { released: false; reason: 'unchanged' }
  | { released: false; reason: 'unrecorded'; unrecorded: ContractChange[] }
  | { released: true; changes: ContractChange[] };

/**
 * Releases the current contract: refuses while a breaking change is not recorded as intended;
 * otherwise appends the changes to the changelog (newest first, under its heading), copies
 * the contract to the released file and empties the intended list (those changes are now
 * part of the release).
 */
export async function releaseContract(
  title: string,
  files: ContractFiles = contractFiles,
): Promise<ReleaseResult> {
  const check = await checkContract(files);
  if (check.unrecorded.length)
    return { released: false, reason: 'unrecorded', unrecorded: check.unrecorded };
  const current = readFileSync(files.contract, 'utf8');
  if (check.changes.length === 0) {
    // Nothing an integrator could notice (comments, order): the released text follows quietly.
    writeFileSync(files.released, current);
    return { released: false, reason: 'unchanged' };
  }
  const section = changelogSection(title, check.changes);
  const existing = existsSync(files.changelog)
    ? readFileSync(files.changelog, 'utf8')
    : changelogHeader;
  const firstSection = existing.indexOf('\n## ');
  const changelog =
    firstSection === -1
      ? `${existing.trimEnd()}\n\n${section}`
      : `${existing.slice(0, firstSection + 1)}${section}\n${existing.slice(firstSection + 1)}`;
  writeFileSync(files.changelog, `${changelog.trimEnd()}\n`);
  writeFileSync(files.released, current);
  writeFileSync(files.intended, intendedText([]));
  return { released: true, changes: check.changes };
}

export const changelogHeader = `# Changelog of the integrators' contract schema

What changed in \`schema/contract.graphql\` (the API that applications with an OAuth access token
may use), release by release, newest first. Written by \`npm run schema:release -w
@yuejuan/schema\` from graphql-inspector's comparison with the last released contract
(\`schema/contract.released.graphql\`). A breaking change is released only when
\`schema/breaking-changes.json\` records it as intended, with the reason shown here.
`;
