import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { isStorageError, type StorageErrorCode } from '../storage';

/** Every error the API answers with: `{"error":{"code","message"}}`, code stable snake_case. */
export interface ErrorBody {
  error: { code: string; message: string; details?: Record<string, unknown> };
}

/** Thrown by routes; the error handler turns it into the one error shape. */
export class ApiError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    /** Machine-readable specifics a client acts on, e.g. which item of a list was bad. */
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export function errorBody(
  code: string,
  message: string,
  details?: Record<string, unknown>,
): ErrorBody {
  return { error: details ? { code, message, details } : { code, message } };
}

// Fastify's own errors, renamed to this API's codes so a client sees one vocabulary.
const FASTIFY_CODES: Record<string, { status: number; code: string; message?: string }> = {
  FST_ERR_CTP_INVALID_JSON_BODY: {
    status: 400,
    code: 'invalid_json',
    message: 'body is not valid JSON',
  },
  FST_ERR_CTP_EMPTY_JSON_BODY: { status: 400, code: 'invalid_json', message: 'body is empty' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: {
    status: 415,
    code: 'unsupported_media_type',
    message: 'send application/json',
  },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { status: 400, code: 'bad_request' },
  FST_ERR_CTP_BODY_TOO_LARGE: {
    status: 413,
    code: 'payload_too_large',
    message: 'request body is too large',
  },
  FST_ERR_VALIDATION: { status: 400, code: 'invalid_body' },
  // Raised before routing (frameworkErrors); their own messages echo the path back.
  FST_ERR_BAD_URL: { status: 400, code: 'bad_url', message: 'the URL is not valid' },
  FST_ERR_MAX_PARAM_LENGTH: { status: 414, code: 'bad_url', message: 'the URL is too long' },
};

const STORAGE_STATUS: Record<StorageErrorCode, number> = {
  invalid_id: 400,
  invalid_role: 400,
  invalid_name: 400,
  invalid_rule: 400,
  invalid_cursor: 400,
  invalid_argument: 400,
  unknown_org: 404,
  exists: 409,
  name_taken: 409,
  room_limit_reached: 409,
  not_found: 404,
  schema_too_new: 500,
};

function toApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  if (isStorageError(err)) {
    return new ApiError(STORAGE_STATUS[err.code], err.code, err.message);
  }
  const fastifyError = err as Partial<FastifyError>;
  const known = fastifyError.code !== undefined ? FASTIFY_CODES[fastifyError.code] : undefined;
  if (known) {
    return new ApiError(known.status, known.code, known.message ?? fastifyError.message ?? '');
  }
  // JSON.parse errors surface as SyntaxError with a 400 status.
  if (err instanceof SyntaxError && fastifyError.statusCode === 400) {
    return new ApiError(400, 'invalid_json', 'body is not valid JSON');
  }
  const status = fastifyError.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return new ApiError(status, 'bad_request', fastifyError.message ?? 'bad request');
  }
  return new ApiError(500, 'internal_error', 'something went wrong on the server');
}

/** Answers any error a request raised, routed or not, in the API's one error shape. */
export function answerError(
  logger: Logger,
): (err: unknown, request: FastifyRequest, reply: FastifyReply) => FastifyReply {
  return (err, request, reply) => {
    const apiError = toApiError(err);
    if (apiError.statusCode >= 500) {
      logger.error({ err, method: request.method, url: request.url }, 'request failed');
    }
    return reply
      .code(apiError.statusCode)
      .send(errorBody(apiError.code, apiError.message, apiError.details));
  };
}

export function registerErrorHandlers(app: FastifyInstance, logger: Logger): void {
  app.setErrorHandler(answerError(logger));
}

export function notFoundError(method: string, url: string): ApiError {
  return new ApiError(404, 'not_found', `no route ${method} ${url.split('?')[0] ?? ''}`);
}
