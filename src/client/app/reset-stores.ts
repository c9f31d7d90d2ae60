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

/** Forget everything of the previous user (sign-out, auth error, between tests). */
export function resetWorkspaceStores(): void {
  useAgentCommandsStore.getState().reset();
  useAgentsStore.getState().reset();
  useBoardQueryStore.getState().reset();
  useChatStore.getState().reset();
  useDraftsStore.getState().reset();
  // Kept across reloads for whoever typed them; not for the next person at this computer,
  // however the session ended: here, in another tab, or refused by the server.
  forgetAllDrafts(sessionStorageOrNull());
  useTypingStore.getState().reset();
  useConnectionStore.getState().reset();
  useNotificationsStore.getState().reset();
  usePresenceStore.getState().reset();
  useNavigationStore.getState().reset();
  forgetSignInToken();
}

export function resetAllStores(): void {
  resetWorkspaceStores();
  useAuthNoticeStore.getState().setNotice(null);
}
