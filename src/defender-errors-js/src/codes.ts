// Generated from the catalog by CompanionPackageTests; run the tests with DEFENDER_UPDATE_GOLDEN=1 to refresh. Do not edit by hand.

/**
 * The HTTP status of each code: the codes Microsoft 365 Defender documents, then the codes the middleware registers
 * by default. An API may register more, so `error.code` can also be a string not listed here.
 */
export const defenderErrorStatuses = {
  BadRequest: 400,
  ODataError: 400,
  InvalidInput: 400,
  InvalidRequestBody: 400,
  InvalidHashValue: 400,
  InvalidDomainName: 400,
  InvalidIpAddress: 400,
  InvalidUrl: 400,
  MaximumBatchSizeExceeded: 400,
  MissingRequiredParameter: 400,
  OsPlatformNotSupported: 400,
  ClientVersionNotSupported: 400,
  Unauthorized: 401,
  Forbidden: 403,
  DisabledFeature: 403,
  DisallowedOperation: 403,
  NotFound: 404,
  ResourceNotFound: 404,
  InternalServerError: 500,
  TooManyRequests: 429, // registered by default
} as const;

/** A code this package knows: documented, or registered by the middleware by default. */
export type DefenderErrorCode = keyof typeof defenderErrorStatuses;
