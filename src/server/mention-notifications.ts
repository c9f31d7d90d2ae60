import { createHash } from 'node:crypto';
import type { Aedes } from 'aedes';
import { canUseApp } from '../shared/acl';
import { firstMentionAt, mentionedUsers } from '../shared/mentions';
import {
  MAX_NOTIFICATION_TITLE_LENGTH,
  type AppNotification,
  type ChatMessage,
} from '../shared/schemas';
import { notificationsTopic } from '../shared/topics';
import type { ChatListener } from './broker/batched-history';
import { roomReader } from './auth/topic-reader';
import { mountTopic } from './broker/mount-point';
import { createMentionLimit } from './mention-limit';
import type { Logger } from './logger';
import type { Storage } from './storage';
import { excerpt } from './text-excerpt';

const PREVIEW_LENGTH = 280; // of the message, in the notification's body; the room has it all
const CONTEXT_BEFORE_MENTION = 60; // of a long message, shown before where it names you

/** Told of the chat messages the history writes (batched-history.ts). */
export interface MentionNotifications extends ChatListener {
  /**
   * Publishes what is committed and waiting, while the broker is still open, and resolves
   * once aedes has taken each; then publishes nothing more. For shutdown: after the
   * transports have closed and the history has been flushed, before the broker closes.
   */
  stop(): Promise<void>;
}

/** A notice to publish live: its org, who it is for, and what it says. */
type Notice = [org: string, user: string, notification: AppNotification];

/**
 * Notifies the people a chat message names (`@bob`, shared/mentions.ts): a notification in
 * their inbox, as a service would publish it, linking to the room. Only people who use the
 * app and may read the room: the notification quotes the message. Not the sender, nor
 * anyone disabled or unknown (the name is then just text), and within the limit from one
 * sender to one person (mention-limit.ts).
 *
 * The notices go into the inboxes in the message's own transaction (`written`), so the
 * PUBACK that says the message is kept says its notices are too: a crash right after it
 * loses neither (QA lost 3 of 8 notices with SIGKILL when they followed a turn later). They
 * are published live once committed, as the broker, outside the turn's sends; the inbox
 * already holding them, the broker's recording of that publish keeps nothing twice.
 */
export function createMentionNotifications(options: {
  storage: Pick<Storage, 'users' | 'rooms' | 'notifications'>;
  /** The broker's aedes, once it is up (messages are written only then). */
  aedes: () => Aedes;
  logger: Logger;
  now?: () => number;
}): MentionNotifications {
  const { storage, logger, now = Date.now } = options;
  const limit = createMentionLimit(logger, now);
  let uncommitted: Notice[] = []; // written in the transaction still open
  let waiting: Notice[] = []; // committed, to publish
  let scheduled: NodeJS.Immediate | null = null;
  let stopped = false;
  let publishing = 0;
  let onPublished: (() => void) | null = null;

  const mayRead = (org: string, user: string, room: string): boolean => {
    const record = storage.users.getUser(org, user);
    if (!record || record.disabled || !canUseApp(record.role)) return false;
    return roomReader(storage, record)(room); // as the HTTP history decides
  };

  const fail = (error: unknown, org: string, room: string, messageId: string) =>
    logger.error(
      { event: 'mention_notify_failed', org, room, messageId, err: error },
      'could not notify the people a message mentions',
    );

  const publish = ([org, user, notification]: Notice) => {
    publishing += 1;
    options.aedes().publish(
      {
        cmd: 'publish',
        topic: mountTopic(org, notificationsTopic(user)),
        payload: Buffer.from(JSON.stringify(notification)),
        qos: 1,
        retain: false,
        dup: false,
      },
      (error) => {
        if (error) {
          logger.error(
            { event: 'mention_publish_failed', org, user, id: notification.id, err: error },
            'could not publish a mention notice live (it is in the inbox)',
          );
        }
        publishing -= 1;
        if (publishing === 0) onPublished?.();
      },
    );
  };

  const publishWaiting = () => {
    if (scheduled) clearImmediate(scheduled);
    scheduled = null;
    const notices = waiting;
    waiting = [];
    for (const notice of notices) publish(notice);
  };

  return {
    written(org, room, message) {
      if (stopped) return;
      const named = mentionedUsers(message.text);
      if (named.length === 0) return; // most messages: one includes('@')
      try {
        const people = named.filter(
          (user) =>
            user !== message.from &&
            mayRead(org, user, room) &&
            limit.allows(org, message.from, user),
        );
        if (people.length === 0) return;
        const name = storage.rooms.get(org, room)?.name ?? room;
        const title = excerpt(
          `${message.from} mentioned you in #${name}`,
          0,
          MAX_NOTIFICATION_TITLE_LENGTH,
        );
        for (const user of people) {
          const notification: AppNotification = {
            id: notificationId(org, room, message),
            title,
            body: preview(message.text, user),
            link: `#/rooms/${room}`,
            createdAt: now(),
          };
          // In the message's transaction; kept once per id, as any notification is.
          if (storage.notifications.record(org, user, notification)) {
            uncommitted.push([org, user, notification]);
          }
        }
      } catch (error) {
        // The message is kept all the same: a notice is not worth losing it for.
        fail(error, org, room, message.id);
      }
    },
    rolledBack() {
      uncommitted = [];
    },
    committed() {
      if (uncommitted.length === 0) return;
      waiting.push(...uncommitted);
      uncommitted = [];
      // Not in this turn: its sends are leaving (the transports flush before they write).
      scheduled ??= setImmediate(publishWaiting);
    },
    async stop() {
      publishWaiting();
      stopped = true;
      if (publishing > 0) await new Promise<void>((resolve) => (onPublished = resolve));
    },
  };
}

/** One per message of a room: each person's inbox keeps it once. */
const notificationId = (org: string, room: string, { id, sentAt }: ChatMessage) =>
  `mention-${createHash('sha256').update(`${org}\0${room}\0${id}\0${sentAt}`).digest('base64url').slice(0, 32)}`;

/**
 * The message as a notice's body: whole when short, else the part where it names `user`
 * (from the start if that is near it), so a long message still shows why it came.
 */
function preview(text: string, user: string): string {
  const at = firstMentionAt(text, user);
  const from = at < PREVIEW_LENGTH - CONTEXT_BEFORE_MENTION ? 0 : at - CONTEXT_BEFORE_MENTION;
  return excerpt(text, from, PREVIEW_LENGTH);
}
