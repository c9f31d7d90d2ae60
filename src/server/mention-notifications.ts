import { createHash } from 'node:crypto';
import type { Aedes } from 'aedes';
import { canUseApp, evaluateAcl } from '../shared/acl';
import { firstMentionAt, mentionedUsers } from '../shared/mentions';
import {
  MAX_NOTIFICATION_TITLE_LENGTH,
  type AppNotification,
  type ChatMessage,
} from '../shared/schemas';
import { chatMessagesTopic, notificationsTopic } from '../shared/topics';
import { effectiveRules } from './auth/effective-rules';
import type { ChatListener } from './broker/batched-history';
import { mountTopic } from './broker/mount-point';
import { createMentionLimit } from './mention-limit';
import type { Logger } from './logger';
import type { Storage } from './storage';
import { excerpt } from './text-excerpt';

const PREVIEW_LENGTH = 280; // of the message, in the notification's body; the room has it all
const CONTEXT_BEFORE_MENTION = 60; // of a long message, shown before where it names you
// A notice published this long ago is in its inbox (committed within a turn or two): a
// resend of its message checks the inbox; one sooner (the same batch) checks this list.
const RECENT_MS = 10_000;

/** Told of chat messages as their batch commits (batched-history.ts). */
export interface MentionNotifications extends ChatListener {
  /**
   * Publishes what is waiting now, while the broker is still open, and resolves once aedes
   * has taken each; then publishes nothing more. For shutdown: after the transports have
   * closed and the history has been flushed, before the broker closes.
   */
  stop(): Promise<void>;
}

/** `again`: a resend the history held; only those whose inbox lacks its notice get one. */
type Mention = [org: string, room: string, message: ChatMessage, named: string[], again: boolean];

/**
 * Notifies the people a chat message names (`@bob`, shared/mentions.ts): a notification in
 * their inbox, as a service would publish it, linking to the room. Only people who use the
 * app and may read the room: the notification quotes the message. Not the sender, nor
 * anyone disabled or unknown (the name is then just text), and within the limit from one
 * sender to one person (mention-limit.ts). Published as the broker, after the message's commit
 * and outside the turn's sends; the id is derived from the room and the message (id and
 * time), so an inbox keeps it once even if a message is handed on twice, and a resend of
 * the message notifies only those whose inbox lacks it (the server died in between).
 */
export function createMentionNotifications(options: {
  storage: Pick<Storage, 'users' | 'rooms' | 'notifications'>;
  /** The broker's aedes, once it is up (messages are written only then). */
  aedes: () => Aedes;
  logger: Logger;
  now?: () => number;
}): MentionNotifications {
  const { storage, logger, now = Date.now } = options;
  let waiting: Mention[] = [];
  let scheduled: NodeJS.Immediate | null = null;
  let stopped = false;
  let publishing = 0;
  let onPublished: (() => void) | null = null;
  const limit = createMentionLimit(logger, now);
  const recent = new Map<string, number>(); // `${org}\0${user}\0${id}` → published at

  const mayRead = (org: string, user: string, room: string): boolean => {
    const record = storage.users.getUser(org, user);
    if (!record || record.disabled || !canUseApp(record.role)) return false;
    const rules = effectiveRules(storage.users, record);
    const variables = { username: user, clientid: '' }; // as the HTTP history reads decide
    return evaluateAcl(rules, 'subscribe', chatMessagesTopic(room), variables).allowed;
  };

  const publish = (org: string, user: string, notification: AppNotification, fail: Fail) => {
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
        if (error) fail(error);
        publishing -= 1;
        if (publishing === 0) onPublished?.();
      },
    );
  };

  const notify = ([org, room, message, named, again]: Mention) => {
    const fail: Fail = (error) =>
      logger.error(
        { event: 'mention_notify_failed', org, room, messageId: message.id, err: error },
        'could not notify the people a message mentions',
      );
    try {
      const id = notificationId(org, room, message);
      const people = named.filter(
        (user) =>
          user !== message.from &&
          mayRead(org, user, room) &&
          // Not twice: a resend and its first write can come in either order in a batch.
          !recent.has(`${org}\0${user}\0${id}`) &&
          !(again && storage.notifications.hasId(org, user, id)) &&
          limit.allows(org, message.from, user),
      );
      if (people.length === 0) return;
      const name = storage.rooms.get(org, room)?.name ?? room;
      const title = `${message.from} mentioned you in #${name}`;
      for (const user of people) {
        const notification: AppNotification = {
          id,
          title: excerpt(title, 0, MAX_NOTIFICATION_TITLE_LENGTH),
          body: preview(message.text, user),
          link: `#/rooms/${room}`,
          createdAt: now(),
        };
        recent.set(`${org}\0${user}\0${id}`, now());
        publish(org, user, notification, fail);
      }
    } catch (error) {
      fail(error);
    }
  };

  const publishWaiting = () => {
    if (scheduled) clearImmediate(scheduled);
    scheduled = null;
    const batch = waiting;
    waiting = [];
    for (const [key, at] of recent) {
      if (now() - at < RECENT_MS) break; // in the order published
      recent.delete(key);
    }
    for (const mention of batch) notify(mention);
  };

  const handOn = (org: string, room: string, message: ChatMessage, again: boolean) => {
    if (stopped) return;
    const named = mentionedUsers(message.text);
    if (named.length === 0) return;
    waiting.push([org, room, message, named, again]);
    // Not in this turn: it is committing the history, before the turn's sends leave.
    scheduled ??= setImmediate(publishWaiting);
  };

  return {
    written: (org, room, message) => handOn(org, room, message, false),
    // A server that died after the message's commit and before its notices went out: the
    // client sends the message again once it is back, and the notices go out then.
    resent: (org, room, message) => handOn(org, room, message, true),
    async stop() {
      publishWaiting();
      stopped = true;
      if (publishing > 0) await new Promise<void>((resolve) => (onPublished = resolve));
    },
  };
}

type Fail = (error: unknown) => void;

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
