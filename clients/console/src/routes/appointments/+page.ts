import { graphql } from '@yuejuan/client-shared/graphql';
import { api, loadStaff, staff } from '$lib/app.svelte.ts';
import type { PageLoad } from './$types';

/** 预约接待: the bookings waiting and confirmed, and the procuratorate's upcoming slots. */
export const load: PageLoad = async ({ depends }) => {
  depends('console:appointments');
  // After a reload the layout may not have read who is logged in yet.
  const procuratorate = (staff.current ?? (await loadStaff()))?.procuratorate ?? null;
  if (!procuratorate) return { procuratorate, requested: [], confirmed: [], slots: [] };
  const [b, s] = await Promise.all([
    api().query(
      graphql(`
        query ConsoleBookings {
          requested: appointmentQueue(status: REQUESTED) {
            ...ConsoleBooking
          }
          confirmed: appointmentQueue(status: CONFIRMED) {
            ...ConsoleBooking
          }
        }
        fragment ConsoleBooking on Appointment {
          id
          type
          status
          startsAt
          endsAt
          location
          note
          lawyer {
            id
            name
            licenceNumber
            lawFirm
          }
          case {
            id
            caseName
            departmentCaseNumber
          }
        }
      `),
    ),
    api().query(
      graphql(`
        query ConsoleReceptionSlots($p: ID!) {
          receptionSlots(procuratorateId: $p) {
            id
            types
            startsAt
            endsAt
            location
            capacity
            available
          }
        }
      `),
      { p: procuratorate.id },
    ),
  ]);
  return {
    procuratorate,
    requested: b.requested,
    confirmed: b.confirmed,
    slots: s.receptionSlots,
  };
};
