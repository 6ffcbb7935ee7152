// The console's API and token, and who is logged in (prosecutor or administrator).
import { goto } from '$app/navigation';
import { createBrowserApp } from '@yuejuan/client-shared';

export const app = createBrowserApp('yuejuan.console.session', () => void goto('/login?expired=1'));
export const api = () => app.api();

export interface Staff {
  role: 'PROSECUTOR' | 'ADMINISTRATOR';
  name: string;
  procuratorate: { id: string; name: string } | null;
}

export const staff: { current: Staff | null } = $state({ current: null });

/** Reads who is logged in (after login, on reload). */
export async function loadStaff(): Promise<Staff | null> {
  if (!app.token.get()) return (staff.current = null);
  const d = await api().query(/* GraphQL */ `
    query ConsoleViewer {
      viewer {
        session {
          role
        }
        prosecutor {
          id
          name
          procuratorate {
            id
            name
          }
        }
      }
    }
  `);
  const role = d.viewer?.session.role;
  staff.current =
    role === 'PROSECUTOR'
      ? { role, name: d.viewer.prosecutor.name, procuratorate: d.viewer.prosecutor.procuratorate }
      : role === 'ADMINISTRATOR'
        ? { role, name: '平台管理员', procuratorate: null }
        : null;
  return staff.current;
}
