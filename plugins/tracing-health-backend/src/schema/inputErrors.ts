import { InputError, isError } from '@backstage/errors';
import type {
  SamplingValidationError,
  SamplingValidationErrorResponse,
} from '@internal/plugin-tracing-health-common';
import { ErrorRequestHandler, NextFunction, Request, Response } from 'express';

/**
 * The one 400 body of every route (`ValidationErrorResponse` in openapi.yaml): Backstage's error
 * body (`error`, `request`, `response`) plus `errors`, every problem by field path.
 */
export interface InputErrorBody extends SamplingValidationErrorResponse {
  request: { method: string; url: string };
  response: { statusCode: 400 };
}

/** `hours: must be at least 1` for `{ path: 'hours', message: 'must be at least 1' }`. */
export function describeErrors(errors: SamplingValidationError[]): string {
  return errors.map(e => `${e.path || '(body)'}: ${e.message}`).join('; ');
}

/**
 * Invalid input, every problem by field path: route handlers throw it, and the error handler
 * (`createInputErrorHandler`) answers 400 with `errors` as given.
 */
export class RequestValidationError extends InputError {
  constructor(
    readonly errors: SamplingValidationError[],
    message = describeErrors(errors),
  ) {
    super(message);
  }
}

/**
 * The value of a successful validation; throws `RequestValidationError` otherwise (with
 * `message`, by default every problem as `path: problem`).
 */
export function validOrThrow<T>(
  result:
    | { success: true; value: T }
    | { success: false; errors: SamplingValidationError[] },
  message?: string,
): T {
  if (!result.success) throw new RequestValidationError(result.errors, message);
  return result.value;
}

export function inputErrorBody(
  req: Request,
  errors: SamplingValidationError[],
  message = describeErrors(errors),
): InputErrorBody {
  return {
    error: { name: 'InputError', message },
    errors,
    request: { method: req.method, url: req.originalUrl },
    response: { statusCode: 400 },
  };
}

/** Answers 400 with the one shape. */
export function sendInputError(
  req: Request,
  res: Response,
  errors: SamplingValidationError[],
  message?: string,
): void {
  res.status(400).json(inputErrorBody(req, errors, message));
}

/**
 * Renders an `InputError` a route handler threw (a rule the spec cannot say, e.g. `hours` at most
 * the retention), or a body that is not JSON, in the same shape as a request the spec rejects; a
 * `RequestValidationError` keeps its per-field errors, another `field: problem` message names its
 * field. Other errors go on to Backstage's error handler.
 * Mount it after every router, as an error handler (four arguments: a Router is skipped for
 * errors).
 */
export function createInputErrorHandler(): ErrorRequestHandler {
  return (error: unknown, req: Request, res: Response, next: NextFunction) => {
    if (!isError(error) || res.headersSent) {
      next(error);
      return;
    }
    // express.json() (body-parser) refusing a body that is not JSON
    if ((error as { type?: string }).type === 'entity.parse.failed') {
      sendInputError(
        req,
        res,
        [{ path: '', message: 'is not valid JSON' }],
        'the request body is not valid JSON',
      );
      return;
    }
    if (error instanceof RequestValidationError) {
      sendInputError(req, res, error.errors, error.message);
      return;
    }
    if (error.name !== 'InputError') {
      next(error);
      return;
    }
    const field = /^([\w.[\]]+): (.+)$/s.exec(error.message);
    sendInputError(
      req,
      res,
      [
        field
          ? { path: field[1], message: field[2] }
          : { path: '', message: error.message },
      ],
      error.message,
    );
  };
}
