using System.Collections.Frozen;
using System.ComponentModel;

namespace Defender.ErrorMiddleware.Catalog;

/// <summary>
/// The one rule for the code a response gets when all it has is a status: a bodiless 404 from routing, a 415 from the framework,
/// a 429 from the rate limiter. The server's writer answers with it and the OpenAPI packages document it.
/// </summary>
public static class DefenderStatusCodeErrors
{
    /// <summary>
    /// <c>TooManyRequests</c>: Defender's throttling code (429). It is not one of the documented <see cref="DefenderErrorCode"/>s,
    /// so the server registers it by default, and a bodiless 429 gets it.
    /// </summary>
    public const string TooManyRequests = "TooManyRequests";

    /// <summary>The default message of <see cref="TooManyRequests"/>.</summary>
    public const string TooManyRequestsMessage = "Too many requests. Retry after the time the Retry-After header gives.";

    /// <summary>
    /// The default table: 400 BadRequest, 401 Unauthorized, 403 Forbidden, 404 NotFound, 405/406/408/414/431 BadRequest with a
    /// message naming the problem, 411/413/415 InvalidRequestBody likewise, 429 <see cref="TooManyRequests"/>.
    /// A status it does not list follows <see cref="Resolve(int)"/>.
    /// </summary>
    public static IReadOnlyDictionary<int, DefenderError> Defaults { get; } = new Dictionary<int, DefenderError>
    {
        [400] = DefenderError.BadRequest(),
        [401] = DefenderError.Unauthorized(),
        [403] = DefenderError.Forbidden(),
        [404] = DefenderError.NotFound(),
        [405] = DefenderError.BadRequest("The HTTP method is not allowed for this resource."),
        [406] = DefenderError.BadRequest("The requested response format is not supported."),
        [408] = DefenderError.BadRequest("The request timed out."),
        [411] = DefenderError.InvalidRequestBody("The request must state its Content-Length."),
        [413] = DefenderError.InvalidRequestBody("The request body is too large."),
        [414] = DefenderError.BadRequest("The request URI is too long."),
        [415] = DefenderError.InvalidRequestBody("The request body's Content-Type is not supported; send application/json."),
        [429] = new DefenderError(TooManyRequests),
        [431] = DefenderError.BadRequest("The request headers are too large."),
    }.ToFrozenDictionary();

    /// <summary>
    /// The error for a bodiless response of this status: the <see cref="Defaults"/> entry, else <c>InternalServerError</c> for
    /// 5xx and <c>BadRequest</c> for any other status. The response keeps its own status either way. (A server's own table,
    /// with the application's changes, is <c>DefenderErrorOptions.GetStatusCodeError</c> in Defender.ErrorMiddleware.)
    /// </summary>
    /// <param name="statusCode">The response's status.</param>
    /// <returns>The error to write.</returns>
    public static DefenderError Resolve(int statusCode) => Lookup(Defaults, statusCode);

    /// <summary>The error for a bodiless response of this status, from an application's table.</summary>
    /// <param name="statusCode">The response's status.</param>
    /// <param name="table">The application's table; <see langword="null"/> for <see cref="Defaults"/>.</param>
    /// <returns>The table's entry, else <c>InternalServerError</c> for 5xx and <c>BadRequest</c> for any other status.</returns>
    [Obsolete("A server's table is the server's concern: use DefenderErrorOptions.GetStatusCodeError(int) (Defender.ErrorMiddleware), or Resolve(int) for the default table. This overload will be removed in the next major version.")]
    [EditorBrowsable(EditorBrowsableState.Never)]
    public static DefenderError Resolve(int statusCode, IReadOnlyDictionary<int, DefenderError>? table = null) => Lookup(table ?? Defaults, statusCode);

    private static DefenderError Lookup(IReadOnlyDictionary<int, DefenderError> table, int statusCode) =>
        table.TryGetValue(statusCode, out var error)
            ? error
            : statusCode >= 500 ? DefenderError.InternalServerError() : DefenderError.BadRequest();
}
