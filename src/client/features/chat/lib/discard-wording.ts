import { messageSnippet } from './message-snippet';

// A Discard or Retry button and what is said once it is pressed name the same message the
// same way: its room where a list holds several rooms' messages, the time shown beside it,
// then its first words.

/** A message of ours that was not delivered, as a list shows it. */
export interface DiscardTarget {
  text: string;
  /** When it was sent, as shown beside it. */
  time: string;
  /** Its room, where the list holds several rooms' messages; none in a room's own view. */
  room?: string;
}

function described({ text, time, room }: DiscardTarget): string {
  const where = room === undefined ? '' : ` to #${room}`;
  return `${where} sent ${time}: ${messageSnippet(text)}`;
}

const DISCARD = 'Discard undelivered message';
const RETRY = 'Retry undelivered message';

/** The accessible name of a Discard button, when no other listed is described alike. */
export function discardLabel(target: DiscardTarget): string {
  return `${DISCARD}${described(target)}`;
}

/** The accessible name of a Retry button, when no other listed is described alike. */
export function retryLabel(target: DiscardTarget): string {
  return `${RETRY}${described(target)}`;
}

/**
 * The accessible names of the Discard buttons of `targets`, listed in this order (WCAG
 * 2.5.3: each starts with "Discard"). Two messages sent in the same minute may open with
 * the same words: those say which of them each is ("2 of 2", in the order shown), so that
 * no two buttons share a name, which would leave a screen reader user choosing by name
 * unable to tell which message goes. The count sits among the fixed words, before the
 * message's own, so that no message's words can make one name read as another.
 */
export function discardLabels(targets: readonly DiscardTarget[]): string[] {
  return labelsStartingWith(DISCARD, targets);
}

/** The accessible names of the Retry buttons of `targets`, told apart as discardLabels. */
export function retryLabels(targets: readonly DiscardTarget[]): string[] {
  return labelsStartingWith(RETRY, targets);
}

function labelsStartingWith(action: string, targets: readonly DiscardTarget[]): string[] {
  const descriptions = targets.map(described);
  const alike = new Map<string, number>();
  for (const description of descriptions) {
    alike.set(description, (alike.get(description) ?? 0) + 1);
  }
  const numbered = new Map<string, number>();
  return descriptions.map((description) => {
    const of = alike.get(description) ?? 1;
    if (of === 1) return `${action}${description}`;
    const nth = (numbered.get(description) ?? 0) + 1;
    numbered.set(description, nth);
    return `${action} ${nth} of ${of}${description}`;
  });
}

/**
 * What is announced once one is discarded: its row, and the button, are gone. Without
 * its count among those alike, which no longer holds for the ones left.
 */
export function discardedAnnouncement(target: DiscardTarget): string {
  return `Discarded message${described(target)}`;
}

/** What is announced once one is sent again: its row is gone, a new copy pending at the end. */
export function retriedAnnouncement(target: DiscardTarget): string {
  return `Retried message${described(target)}`;
}
