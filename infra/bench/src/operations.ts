// The two operations the portal sends that the load benchmark drives (issue 8, section 5).
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** 个人中心: the lawyer, their binding applications with case and procuratorate, bound-case and unread counts. */
export const personalCentre = /* GraphQL */ `
  query PersonalCentre($id: ID!) {
    lawyer(id: $id) {
      name
      licenceNumber
      bindingApplications(first: 20) {
        totalCount
        edges {
          node {
            status
            caseSummary {
              caseName
              departmentCaseNumber
              procuratorate {
                name
              }
            }
          }
        }
      }
      boundCases {
        totalCount
      }
      notifications {
        unreadCount
      }
    }
  }
`;

/** 已绑定案件: the bound-cases list, 50 cases with their procuratorates. */
export const boundCases = /* GraphQL */ `
  query BoundCases($id: ID!) {
    lawyer(id: $id) {
      boundCases(first: 50) {
        edges {
          node {
            caseName
            departmentCaseNumber
            procuratorate {
              name
              province
            }
          }
        }
      }
    }
  }
`;

export const operations = { 'personal-centre': personalCentre, 'bound-cases': boundCases } as const;
export type OperationName = keyof typeof operations;
export const operationNames = Object.keys(operations) as OperationName[];

/** 标记已读: the write the fault runs make during the faults (acknowledged writes must survive). */
export const markNotificationRead = /* GraphQL */ `
  mutation MarkNotificationRead($id: ID!) {
    markNotificationRead(id: $id) {
      id
      readAt
    }
  }
`;

/** sha256 (hex) of a document: its key in the persisted-operations manifest. */
export const documentHash = (document: string): string =>
  createHash('sha256').update(document).digest('hex');

/** A manifest of these operations (our gateway runs only manifest operations in production). */
export function writeManifest(dir: string): string {
  const path = join(dir, 'persisted-operations.json');
  writeFileSync(
    path,
    JSON.stringify(
      Object.fromEntries(
        [...Object.values(operations), markNotificationRead].map((d) => [documentHash(d), d]),
      ),
      null,
      2,
    ),
  );
  return path;
}

/**
 * The HTTP body a client sends: to our gateway the operation's hash, as the portal does in
 * production (persisted operations); to the peers, which have no manifest, its text.
 */
export const requestBody = (op: OperationName, lawyerId: string, persisted = false): string =>
  JSON.stringify(
    persisted
      ? { documentId: `sha256:${documentHash(operations[op])}`, variables: { id: lawyerId } }
      : { query: operations[op], variables: { id: lawyerId } },
  );
