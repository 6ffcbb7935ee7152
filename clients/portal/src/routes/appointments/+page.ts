import { graphql } from '@yuejuan/client-shared/graphql';
import { api } from '$lib/app.ts';
import type { PageLoad } from './$types';

/** 辩护与代理网上预约: the lawyer's appointments with their packages. */
export const load: PageLoad = async ({ depends }) => {
  depends('portal:appointments');
  const d = await api().query(
    graphql(`
      query PortalAppointments {
        viewer {
          lawyer {
            id
            appointments(first: 50) {
              edges {
                node {
                  id
                  type
                  status
                  closedReason
                  startsAt
                  endsAt
                  location
                  decisionNote
                  createdAt
                  receiptAcknowledgedAt
                  case {
                    id
                    caseName
                    departmentCaseNumber
                    procuratorate {
                      id
                      name
                    }
                  }
                  package {
                    id
                    status
                    progress
                    sizeBytes
                    expiresAt
                  }
                }
              }
            }
          }
        }
      }
    `),
  );
  return { appointments: d.viewer?.lawyer?.appointments.edges.map((e) => e.node) ?? [] };
};
