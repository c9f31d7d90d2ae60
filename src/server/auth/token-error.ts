export type TokenErrorCode = 'token_expired' | 'token_invalid' | 'token_revoked';

/** Why a broker token was refused; the message is safe to show to the client. */
export class TokenError extends Error {
  constructor(
    readonly code: TokenErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'TokenError';
  }
}
