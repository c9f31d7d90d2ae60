import { useAgentCommandsStore } from '../features/agent-board/stores/agent-commands-store';
import { useAgentsStore } from '../features/agent-board/stores/agents-store';
import { useBoardQueryStore } from '../features/agent-board/stores/board-query-store';
import { useAuthNoticeStore } from '../features/auth/stores/auth-notice-store';
import { forgetAllDrafts, sessionStorageOrNull } from '../features/chat/lib/draft-storage';
import { useChatStore } from '../features/chat/stores/chat-store';
import { useDraftsStore } from '../features/chat/stores/drafts-store';
import { useTypingStore } from '../features/chat/stores/typing-store';
import { useConnectionStore } from '../features/connection/stores/connection-store';
import { useNotificationsStore } from '../features/notifications/stores/notifications-store';
import { usePresenceStore } from '../features/presence/stores/presence-store';
import { useNavigationStore } from './navigation-store';
import { forgetSignInToken } from './sign-in-token';

/** What the workspace holds in memory of its user: forgotten however the sign-in ends. */
function resetShownStores(): void {
  useAgentCommandsStore.getState().reset();
  useAgentsStore.getState().reset();
  useBoardQueryStore.getState().reset();
  useChatStore.getState().reset();
  useDraftsStore.getState().reset();
  useTypingStore.getState().reset();
  useConnectionStore.getState().reset();
  useNotificationsStore.getState().reset();
  usePresenceStore.getState().reset();
}

/**
 * A sign-in that ended without the person signing out (the broker refused a fresh token;
 * the session expired, or an admin ended it or disabled the account; someone else signed
 * in in another tab): what was shown goes, but what the tab keeps for them to come back
 * to stays, each kept per account, so nobody else is shown it: the drafts
 * (draft-storage.ts), the outbox (connection.ts), and the view, in the address bar with
 * this sign-in's token (view-location.ts). Signing back in as the same person finds them.
 */
export function leaveWorkspace(): void {
  resetShownStores();
  useNavigationStore.getState().leave();
}

/**
 * A sign-out the person chose, here or in another tab: what was kept for them to come back
 * to goes too, so nothing they wrote and did not send outlives it in this tab.
 */
export function forgetKeptForReturn(): void {
  forgetAllDrafts(sessionStorageOrNull());
  useNavigationStore.getState().reset(); // the view out of the address
  forgetSignInToken(); // and the views on this tab's entries opened for nobody
}

/** Forget everything of the previous user (sign-out here, between tests). */
export function resetWorkspaceStores(): void {
  resetShownStores();
  forgetKeptForReturn();
}

export function resetAllStores(): void {
  resetWorkspaceStores();
  useAuthNoticeStore.getState().setNotice(null);
}
