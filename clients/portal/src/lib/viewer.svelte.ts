// Who is logged in (the header, the guards) and the unread notification count, kept live.
import { api, app } from './app.ts';
import { graphql } from '@yuejuan/client-shared/graphql';

export interface ViewerInfo {
  session: { id: string; method: string; identityVerified: boolean; expiresAt: string };
  nextStep: string;
  lawyer: { id: string; name: string; lawFirm: string } | null;
}

export const viewer: { info: ViewerInfo | null; unread: number } = $state({
  info: null,
  unread: 0,
});

let stopNotifications: (() => void) | null = null;

/** Reads the viewer again (after login, consent, profile) and follows new notifications. */
export async function refreshViewer(): Promise<ViewerInfo | null> {
  if (!app.token.get()) {
    viewer.info = null;
    return null;
  }
  const data = await api().query(
    graphql(`
      query PortalViewer {
        viewer {
          nextStep
          session {
            id
            method
            identityVerified
            expiresAt
          }
          lawyer {
            id
            name
            lawFirm
          }
        }
      }
    `),
  );
  viewer.info = data.viewer;
  if (viewer.info?.lawyer && viewer.info.nextStep === 'DONE') {
    void refreshUnread();
    stopNotifications ??= api().subscribe(
      graphql(`
        subscription PortalNotificationAdded {
          notificationAdded {
            id
          }
        }
      `),
      {},
      () => {
        viewer.unread += 1;
      },
      () => {
        stopNotifications = null;
      },
    );
  }
  return viewer.info;
}

/** The unread count from the API (after marking read). */
export async function refreshUnread(): Promise<void> {
  try {
    const data = await api().query(
      graphql(`
        query PortalUnread {
          viewer {
            lawyer {
              id
              notifications(unreadOnly: true, first: 1) {
                unreadCount
              }
            }
          }
        }
      `),
    );
    viewer.unread = data.viewer?.lawyer?.notifications.unreadCount ?? 0;
  } catch {
    // The count is a convenience: the notifications page shows the error if there is one.
  }
}

/** Ends the session on the server (when it can) and here. */
export async function logout(): Promise<void> {
  try {
    await api().mutate(
      graphql(`
        mutation PortalLogout {
          logout
        }
      `),
    );
  } catch {
    /* gone already */
  }
  stopNotifications?.();
  stopNotifications = null;
  app.forget();
  viewer.info = null;
  viewer.unread = 0;
}
