namespace Defender.ErrorMiddleware;

/// <summary>The response headers of the error contract, defined once for the server, the OpenAPI documents and clients.</summary>
public static class DefenderErrorHeaders
{
    /// <summary>
    /// <c>x-ms-error-code</c>: the error's code, equal to the body's <c>error.code</c>. A client can read it without parsing
    /// the body (a browser needs it listed in CORS <c>Access-Control-Expose-Headers</c>).
    /// </summary>
    public const string ErrorCode = "x-ms-error-code";
}
