import { STATUS_CODES } from 'node:http';
import { Type } from '@sinclair/typebox';
import { ApiError } from '../errors.js';

/**
 * An error of the native API that names the request field at fault (a body property,
 * a query parameter, a header). Codes are the same catalogue as the compatible API's
 * (Twilio's numbers where Twilio has one), so one code means one thing on both APIs.
 */
export class FieldError extends ApiError {
  constructor(
    status: number,
    code: number,
    message: string,
    readonly field: string | null = null,
  ) {
    super(status, code, message);
  }
}

/**
 * The seed's response vocabulary: Apifon answers carry `result_info: { status_code,
 * description }`; an error adds `errors`, one entry per problem, each with the stable
 * code, a message for people and the field it concerns (null when it is the request as a whole).
 */
export const ErrorBody = Type.Object(
  {
    result_info: Type.Object({ status_code: Type.Integer(), description: Type.String() }, { additionalProperties: false }),
    errors: Type.Array(
      Type.Object(
        {
          code: Type.Integer(),
          message: Type.String(),
          field: Type.Union([Type.String(), Type.Null()]),
          more_info: Type.String(),
        },
        { additionalProperties: false },
      ),
      { minItems: 1 },
    ),
  },
  { additionalProperties: false, $id: 'V1Error', title: 'V1Error' },
);

export interface ErrorJson {
  result_info: { status_code: number; description: string };
  errors: { code: number; message: string; field: string | null; more_info: string }[];
}

export function errorJson(error: ApiError): ErrorJson {
  const field = error instanceof FieldError ? error.field : null;
  const json = error.toJSON();
  return {
    result_info: { status_code: error.status, description: STATUS_CODES[error.status] ?? 'Error' },
    errors: [{ code: error.code, message: error.message, field, more_info: json.more_info }],
  };
}

export function invalidField(field: string, message: string, code = 20001): FieldError {
  return new FieldError(400, code, message, field);
}

export function notFound(path: string): FieldError {
  return new FieldError(404, 20404, `The requested resource ${path} was not found`);
}

/** If-Match named a version that is no longer the resource's. */
export function preconditionFailed(path: string, current: string): FieldError {
  return new FieldError(412, 20412, `The resource ${path} has changed: its Etag is now ${current}; fetch it again before writing`, 'If-Match');
}

export function conflict(code: number, message: string, field: string | null = null): FieldError {
  return new FieldError(409, code, message, field);
}
