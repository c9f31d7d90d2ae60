export { buildHttpApi } from './build-http-api';
export type { HttpDeps } from './http-deps';
export { isOriginAllowed } from './allowed-origin';
export { ApiError, type ErrorBody } from './errors';
export { trustedProxies, type TrustProxy } from './trusted-proxy';
