/** An error the simulated API answers with: HTTP status, Alibaba error code and message. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  /** Extra response headers (e.g. x-acs-retry-after on throttling). */
  readonly headers: Record<string, string>;

  constructor(status: number, code: string, message: string, headers: Record<string, string> = {}) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.headers = headers;
  }
}

export function missingParameter(name: string): ApiError {
  return new ApiError(
    400,
    `MissingParameter.${name}`,
    `The input parameter "${name}" that is mandatory for processing this request is not supplied.`,
  );
}

export function invalidParameter(name: string, why: string): ApiError {
  return new ApiError(400, `InvalidParameter.${name}`, `The specified parameter "${name}" is not valid: ${why}`);
}

/**
 * A documented parameter the simulator does not model. Refused rather than ignored, so that a
 * client never gets an unfiltered answer it takes for a filtered one.
 */
export function notSimulated(name: string, action: string): ApiError {
  return new ApiError(400, 'InvalidParameter.NotSimulated', `The parameter "${name}" of ${action} is not modelled by the cloud simulator (see docs/cloud-simulator.md); the real API may accept it.`);
}
