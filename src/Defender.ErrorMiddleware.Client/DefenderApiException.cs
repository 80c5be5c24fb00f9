using System.Net;

namespace Defender.ErrorMiddleware.Client;

/// <summary>
/// Thrown by <see cref="DefenderApiErrorHandler"/> for an error response (status 400–599). It is an
/// <see cref="HttpRequestException"/>, so existing <c>catch</c> blocks still see it.
/// </summary>
public sealed class DefenderApiException : HttpRequestException
{
    /// <summary>Creates the exception for an error read with <see cref="DefenderApiErrorReader.ReadDefenderErrorAsync"/>.</summary>
    /// <param name="error">The error.</param>
    public DefenderApiException(DefenderApiError error)
        : base(DefenderApiErrorReader.Describe(error ?? throw new ArgumentNullException(nameof(error))), null, error.StatusCode)
    {
        Error = error;
    }

    /// <summary>The full error, as read from the response.</summary>
    public DefenderApiError Error { get; }

    /// <summary>The HTTP status.</summary>
    public new HttpStatusCode StatusCode => Error.StatusCode;

    /// <summary>The documented code, or <see langword="null"/> for an unknown code (see <see cref="CodeName"/>) or a body that is not an envelope.</summary>
    public DefenderErrorCode? Code => Error.Code;

    /// <summary>The code exactly as the server wrote it, or <see langword="null"/>.</summary>
    public string? CodeName => Error.CodeName;

    /// <summary>The error's tracking ID (<c>error.target</c>): quote it when contacting support.</summary>
    public Guid? Target => Error.Target;

    /// <summary>How long to wait before retrying (429, 503), from <c>Retry-After</c>.</summary>
    public TimeSpan? RetryAfter => Error.RetryAfter;
}
