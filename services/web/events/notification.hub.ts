import { ListenHub } from './listen-hub';

/** What notifyUsers NOTIFYs on 'lienthong_notification': the user and the new notification's id. */
export interface NotificationEvent {
  userId: string;
  id: number;
}

function parseNotificationEvent(payload: string): NotificationEvent | undefined {
  const p = JSON.parse(payload) as { userId?: unknown; id?: unknown };
  return typeof p.userId === 'string' && typeof p.id === 'number' ? { userId: p.userId, id: p.id } : undefined;
}

/** New notifications, by user: each wakes only the pages of the user it is for (the payload names the user). */
export function notificationHub(databaseUrl: string): ListenHub<NotificationEvent> {
  return new ListenHub<NotificationEvent>({
    channel: 'lienthong_notification',
    application: 'lienthong-web-notifications',
    databaseUrl,
    parse: parseNotificationEvent,
    audience: (e) => [e.userId],
  });
}
