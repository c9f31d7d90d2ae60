import { messageSnippet } from './message-snippet';

// A Discard button and what is said once it is pressed name the same message the same
// way: the time shown beside it, then its first words (two may open alike).

/** The accessible name of a message's Discard button (WCAG 2.5.3: starts with "Discard"). */
export function discardLabel(text: string, time: string): string {
  return `Discard undelivered message sent ${time}: ${messageSnippet(text)}`;
}

/** What is announced once it is discarded: its row, and the button, are gone. */
export function discardedAnnouncement(text: string, time: string): string {
  return `Discarded message sent ${time}: ${messageSnippet(text)}`;
}
