import { z } from 'zod';
import { baseConfigShape, loadConfig, portSetting } from '@yuejuan/runtime';

/** The notifications subgraph's settings; the only reader of process.env here. */
export const notificationsConfigShape = { ...baseConfigShape, PORT: portSetting(4004), NOTIFICATIONS_DB: z.string().min(1).default('yuejuan_notifications') };
export type NotificationsConfig = ReturnType<typeof loadNotificationsConfig>;

/** Reads and validates the notifications settings; throws ConfigError naming each bad variable. */
export const loadNotificationsConfig = (env: NodeJS.ProcessEnv = process.env) => loadConfig(notificationsConfigShape, env);
