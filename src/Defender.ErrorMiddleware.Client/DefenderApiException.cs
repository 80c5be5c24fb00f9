using System.Net;

namespace Defender.ErrorMiddleware.Client;

/// <summary>
/// Thrown by <see cref="DefenderApiErrorHandler"/> for an error response (status 400–599). It is an
/// <see cref="HttpRequestException"/>, so existing <c>catch</c> blocks still see it; a resilience pipeline should judge it by
/// <see cref="IsRetryable"/> (<see cref="DefenderApiRetry"/>), never as a network failure.
/// </summary>
public sealed class DefenderApiException : HttpRequestException
{
    /// <summary>Creates the exception for an error read with <see cref="DefenderApiErrorReader.ReadDefenderErrorAsync"/>.</summary>
    /// <param name="error">The error.</param>
    public DefenderApiException(DefenderApiError error)
        : base(DefenderApiErrorReader.Describe(error ?? throw new ArgumentNullException(nameof(error))), null, (HttpStatusCode)error.Status)
    {
        Error = error;
    }

    /// <summary>The full error, as read from the response.</summary>
    public DefenderApiError Error { get; }

    /// <summary>The HTTP status, e.g. 404.</summary>
    public int Status => Error.Status;

    /// <summary>The code exactly as the server wrote it (documented or registered, e.g. <c>TooManyRequests</c>), or <see langword="null"/>.</summary>
    public string? Code => Error.Code;

    /// <summary>The code as a documented <see cref="DefenderErrorCode"/>, or <see langword="null"/> (see <see cref="DefenderApiError.KnownCode"/>).</summary>
    public DefenderErrorCode? KnownCode => Error.KnownCode;

    /// <summary>The error's tracking ID (<c>error.target</c>): quote it when contacting support.</summary>
    public Guid? Target => Error.Target;

    /// <summary>How long to wait before retrying (429, 503), from <c>Retry-After</c>.</summary>
    public TimeSpan? RetryAfter => Error.RetryAfter;

    /// <summary>The response's headers and content headers, by name (case-insensitive).</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> Headers => Error.Headers;

    /// <summary>The method of the request that failed.</summary>
    public HttpMethod? Method => Error.Method;

    /// <summary>The URI of the request that failed.</summary>
    public Uri? RequestUri => Error.RequestUri;

    /// <summary>Whether the same request may succeed later: 408, 429, 5xx (<see cref="DefenderApiError.IsRetryable"/>).</summary>
    public bool IsRetryable => Error.IsRetryable;

    /// <summary>The HTTP status.</summary>
    [Obsolete("Use Status, the name both client packages share.")]
    public new HttpStatusCode StatusCode => (HttpStatusCode)Error.Status;

    /// <summary>The code exactly as the server wrote it, or <see langword="null"/>.</summary>
    [Obsolete("Use Code, the name both client packages share (KnownCode for the DefenderErrorCode).")]
    public string? CodeName => Error.Code;
}
