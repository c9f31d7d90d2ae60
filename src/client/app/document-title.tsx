import { useEffect } from 'react';

// The tab's title says where one is, as in other apps: among many tabs, in the history
// list, on a bookmark, and to a screen reader moving between windows.
export const APP_NAME = 'Switchboard';
export const SIGN_IN_TITLE = `Sign in — ${APP_NAME}`;

/** Makes `title` the document's while mounted; the app's name once unmounted. Renders nothing. */
export function DocumentTitle({ title }: { title: string }) {
  useEffect(() => {
    document.title = title;
    return () => {
      document.title = APP_NAME;
    };
  }, [title]);
  return null;
}
