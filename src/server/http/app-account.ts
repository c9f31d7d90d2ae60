import { ApiError } from './errors';

/**
 * For a user whose role cannot use the web app (shared/acl.ts, canUseApp). Signed in, such
 * a user's app had its broker connection refused (their presence will is not theirs to
 * publish) and fell back to the sign-in page, again and again.
 */
export function notAnAppAccount(): ApiError {
  return new ApiError(
    403,
    'not_an_app_account',
    'agent and service accounts connect over MQTT with their password; they cannot use the web app',
  );
}
