import { graphql } from '@yuejuan/client-shared/graphql';
import { api } from '$lib/app.ts';
import { NoteRow } from '$lib/documents.ts';
import { viewer } from '$lib/viewer.svelte.ts';
import type { PageLoad } from './$types';

/** 消息通知: the latest 50 messages, newest first; the menu's unread count follows. */
export const load: PageLoad = async ({ depends }) => {
  depends('portal:notifications');
  const d = await api().query(
    graphql(
      `
        query PortalNotifications {
          viewer {
            lawyer {
              id
              notifications(first: 50) {
                unreadCount
                edges {
                  node {
                    ...PortalNoteRow
                  }
                }
              }
            }
          }
        }
      `,
      [NoteRow],
    ),
  );
  const list = d.viewer?.lawyer?.notifications;
  viewer.unread = list?.unreadCount ?? 0;
  return { notes: list?.edges.map((e) => e.node) ?? [] };
};
