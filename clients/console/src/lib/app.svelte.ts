// The console's API and token, and who is logged in (prosecutor or administrator).
import { goto, invalidate, invalidateAll } from '$app/navigation';
import { navigating } from '$app/state';
import { createBrowserApp, createRefresh } from '@yuejuan/client-shared';
import { graphql } from '@yuejuan/client-shared/graphql';

export const app = createBrowserApp(
  'yuejuan.console.session',
  () => void goto('/login?expired=1'),
  // Back on the socket after a gateway restart: what changed meanwhile is read again.
  () => void invalidateAll(),
);
export const api = () => app.api();
/** Reads a page's data again (see createRefresh: never undoes a navigation under way). */
export const refresh = createRefresh({ goto, invalidate, navigating });

export interface Staff {
  role: 'PROSECUTOR' | 'ADMINISTRATOR';
  name: string;
  procuratorate: { id: string; name: string } | null;
}

export const staff: { current: Staff | null } = $state({ current: null });

/** Reads who is logged in (after login, on reload). */
export async function loadStaff(): Promise<Staff | null> {
  if (!app.token.get()) return (staff.current = null);
  const d = await api().query(
    graphql(`
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
    `),
  );
  const role = d.viewer?.session.role;
  const prosecutor = d.viewer?.prosecutor;
  staff.current =
    role === 'PROSECUTOR' && prosecutor
      ? { role, name: prosecutor.name, procuratorate: prosecutor.procuratorate }
      : role === 'ADMINISTRATOR'
        ? { role, name: '平台管理员', procuratorate: null }
        : null;
  return staff.current;
}
