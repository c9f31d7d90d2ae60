import { createHash } from 'node:crypto';
import type { Aedes } from 'aedes';
import { canUseApp, evaluateAcl } from '../shared/acl';
import { mentionedUsers } from '../shared/mentions';
import type { AppNotification, ChatMessage } from '../shared/schemas';
import { chatMessagesTopic, notificationsTopic } from '../shared/topics';
import { effectiveRules } from './auth/effective-rules';
import { mountTopic } from './broker/mount-point';
import type { Logger } from './logger';
import type { Storage } from './storage';

const MAX_TITLE_LENGTH = 200; // the notification schema's
const PREVIEW_LENGTH = 280; // of the message, in the notification's body; the room has it all

export interface MentionNotifications {
  /** A chat message was written to the history for the first time (batched-history.ts). */
  chatWritten(org: string, room: string, message: ChatMessage): void;
  /** Publishes nothing more (the broker is closing). */
  stop(): void;
}

/**
 * Notifies the people a chat message names (`@bob`, shared/mentions.ts): a notification in
 * their inbox, as a service would publish it, linking to the room. Only people who use the
 * app and may read the room: the notification quotes the message. Not the sender, nor
 * anyone disabled or unknown (the name is then just text). Published as the broker, after
 * the message's commit and outside the turn's sends; its id is derived from the room and
 * the message's id, so it is kept once even if a message is handed on twice.
 */
export function createMentionNotifications(options: {
  storage: Pick<Storage, 'users' | 'rooms'>;
  /** The broker's aedes, once it is up (messages are written only then). */
  aedes: () => Aedes;
  logger: Logger;
}): MentionNotifications {
  const { storage, logger } = options;
  let stopped = false;

  const mayRead = (org: string, user: string, room: string): boolean => {
    const record = storage.users.getUser(org, user);
    if (!record || record.disabled || !canUseApp(record.role)) return false;
    const rules = effectiveRules(storage.users, record);
    const variables = { username: user, clientid: '' }; // as the HTTP history reads decide
    return evaluateAcl(rules, 'subscribe', chatMessagesTopic(room), variables).allowed;
  };

  const notify = (org: string, room: string, message: ChatMessage, people: string[]) => {
    const name = storage.rooms.list(org).find((r) => r.id === room)?.name ?? room;
    for (const user of people) {
      const notification: AppNotification = {
        id: notificationId(org, room, message.id),
        title: clip(`${message.from} mentioned you in #${name}`, MAX_TITLE_LENGTH),
        body: clip(message.text, PREVIEW_LENGTH),
        link: `#/rooms/${room}`,
        createdAt: Date.now(),
      };
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
          if (error) fail(error, org, room, message);
        },
      );
    }
  };

  const fail = (error: unknown, org: string, room: string, message: ChatMessage) =>
    logger.error(
      { event: 'mention_notify_failed', org, room, messageId: message.id, err: error },
      'could not notify the people a message mentions',
    );

  return {
    chatWritten(org, room, message) {
      const named = mentionedUsers(message.text);
      if (named.length === 0 || stopped) return;
      // Not in this turn: it is committing the history, before the turn's sends leave.
      setImmediate(() => {
        if (stopped) return;
        try {
          const people = named.filter((user) => user !== message.from && mayRead(org, user, room));
          if (people.length > 0) notify(org, room, message, people);
        } catch (error) {
          fail(error, org, room, message);
        }
      });
    },
    stop() {
      stopped = true;
    },
  };
}

/** One per message of a room: each person's inbox keeps it once. */
const notificationId = (org: string, room: string, messageId: string) =>
  `mention-${createHash('sha256').update(`${org}\0${room}\0${messageId}`).digest('base64url').slice(0, 32)}`;

/** At most `length` UTF-16 units, an ellipsis ending what was cut, no half of a pair left. */
function clip(text: string, length: number): string {
  if (text.length <= length) return text;
  let end = length - 1;
  if (/[\uD800-\uDBFF]/.test(text[end - 1]!)) end -= 1;
  return `${text.slice(0, end)}…`;
}
