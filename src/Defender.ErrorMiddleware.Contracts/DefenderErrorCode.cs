namespace Defender.ErrorMiddleware;

/// <summary>
/// The error codes documented for the Microsoft 365 Defender REST APIs
/// (formerly Microsoft Threat Protection). Each has a fixed HTTP status (<see cref="Catalog.DefenderErrorCatalog"/>); see <c>docs/error-codes.md</c>.
/// </summary>
/// <remarks>
/// Applications register further codes (for example <c>TooManyRequests</c> or <c>ActiveRequestAlreadyExists</c>)
/// on the server with <c>DefenderErrorOptions.AddErrorCode</c>.
/// </remarks>
public enum DefenderErrorCode
{
    /// <summary>400: a general bad request.</summary>
    BadRequest,

    /// <summary>400: the OData URI query is invalid.</summary>
    ODataError,

    /// <summary>400: an input value is invalid.</summary>
    InvalidInput,

    /// <summary>400: the request body is invalid.</summary>
    InvalidRequestBody,

    /// <summary>400: a file hash value is invalid.</summary>
    InvalidHashValue,

    /// <summary>400: a domain name is invalid.</summary>
    InvalidDomainName,

    /// <summary>400: an IP address is invalid.</summary>
    InvalidIpAddress,

    /// <summary>400: a URL is invalid.</summary>
    InvalidUrl,

    /// <summary>400: a batch holds more items than allowed.</summary>
    MaximumBatchSizeExceeded,

    /// <summary>400: a required parameter is missing (body parameters are case-sensitive).</summary>
    MissingRequiredParameter,

    /// <summary>400: the client's OS platform does not support the action.</summary>
    OsPlatformNotSupported,

    /// <summary>400: the client's version does not support the action.</summary>
    ClientVersionNotSupported,

    /// <summary>401: the authorization header is missing, invalid or expired.</summary>
    Unauthorized,

    /// <summary>403: the token is valid but lacks the permission for the action.</summary>
    Forbidden,

    /// <summary>403: the tenant feature is not enabled.</summary>
    DisabledFeature,

    /// <summary>403: the operation is not allowed.</summary>
    DisallowedOperation,

    /// <summary>404: a general not found.</summary>
    NotFound,

    /// <summary>404: the requested resource was not found.</summary>
    ResourceNotFound,

    /// <summary>500: an unexpected server error; the message carries no details.</summary>
    InternalServerError,
}
