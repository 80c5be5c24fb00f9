using System.Net;

namespace Defender.ErrorMiddleware.Client;

/// <summary>
/// An error response from a Microsoft 365 Defender-style API, read from its <c>{"error":{"code","message","target"}}</c> envelope,
/// or, when the body is not one (an HTML 502 from a proxy, an empty 503, truncated JSON), its status and raw text.
/// The names are those of the TypeScript package's <c>DefenderApiError</c> (<c>status</c>, <c>code</c>, <c>message</c>,
/// <c>target</c>, <c>retryAfter</c>, <c>rawBody</c>, <c>headers</c>, <c>method</c>, <c>isRetryable</c>); see <c>docs/clients.md</c>.
/// </summary>
public sealed class DefenderApiError
{
    internal DefenderApiError(
        int status,
        string? code,
        string? message,
        Guid? target,
        TimeSpan? retryAfter,
        DateTimeOffset? retryAfterDate,
        bool isEnvelope,
        string? rawBody,
        IReadOnlyDictionary<string, IReadOnlyList<string>> headers,
        HttpMethod? method,
        Uri? requestUri)
    {
        Status = status;
        Code = code;
        KnownCode = DefenderApiErrorReader.Known(code);
        Message = message;
        Target = target;
        RetryAfter = retryAfter;
        RetryAfterDate = retryAfterDate;
        IsEnvelope = isEnvelope;
        RawBody = rawBody;
        Headers = headers;
        Method = method;
        RequestUri = requestUri;
    }

    /// <summary>The HTTP status, e.g. 404.</summary>
    public int Status { get; }

    /// <summary>
    /// The code exactly as the server wrote it (<c>error.code</c>, else the <c>x-ms-error-code</c> header): a documented code, or
    /// one the API registered such as <c>TooManyRequests</c> (<c>DefenderStatusCodeErrors.TooManyRequests</c>).
    /// <see langword="null"/> when the response carries neither.
    /// </summary>
    public string? Code { get; }

    /// <summary>
    /// <see cref="Code"/> as a documented <see cref="DefenderErrorCode"/>, or <see langword="null"/> for a code the API registered
    /// (such as <c>TooManyRequests</c>), a code this library does not know, or none.
    /// </summary>
    public DefenderErrorCode? KnownCode { get; }

    /// <summary>The server's message (<c>error.message</c>; may be empty), or <see langword="null"/> when there is no envelope.</summary>
    public string? Message { get; }

    /// <summary>The error's tracking ID (<c>error.target</c>): quote it when contacting support. <see langword="null"/> when absent or not a GUID.</summary>
    public Guid? Target { get; }

    /// <summary>
    /// How long to wait before retrying, from <c>Retry-After</c> (sent with 429 and 503): its delta-seconds, or the time left until its
    /// date (measured against the response's <c>Date</c> header when there is one); <see langword="null"/> when absent or unreadable.
    /// </summary>
    public TimeSpan? RetryAfter { get; }

    /// <summary>The <c>Retry-After</c> header's date, when the server sent a date rather than a number of seconds.</summary>
    public DateTimeOffset? RetryAfterDate { get; }

    /// <summary>Whether the body was a well-formed Defender error envelope.</summary>
    public bool IsEnvelope { get; }

    /// <summary>
    /// The body as text when it was not an envelope, cut to <see cref="DefenderApiErrorReader.MaxRawContentLength"/> characters;
    /// <see langword="null"/> for an envelope, an empty string for an empty body.
    /// </summary>
    public string? RawBody { get; }

    /// <summary>The response's headers and its content headers, by name (case-insensitive), as received.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> Headers { get; }

    /// <summary>The method of the request that failed, or <see langword="null"/> when the response does not say.</summary>
    public HttpMethod? Method { get; }

    /// <summary>The URI of the request that failed, or <see langword="null"/> when the response does not say.</summary>
    public Uri? RequestUri { get; }

    /// <summary>
    /// Whether sending the same request again may succeed: 408, 429 and every 5xx (the statuses the standard resilience handler
    /// treats as transient). Never for any other 4xx: the request itself is wrong.
    /// </summary>
    public bool IsRetryable => DefenderApiErrorReader.IsRetryableStatus(Status);

    /// <summary>The HTTP status as an <see cref="HttpStatusCode"/>.</summary>
    [Obsolete("Use Status, the name both client packages share.")]
    public HttpStatusCode StatusCode => (HttpStatusCode)Status;

    /// <summary>The code exactly as the server wrote it.</summary>
    [Obsolete("Use Code, the name both client packages share (KnownCode for the DefenderErrorCode).")]
    public string? CodeName => Code;

    /// <summary>The body as text when it was not an envelope.</summary>
    [Obsolete("Use RawBody, the name both client packages share.")]
    public string? RawContent => RawBody;

    /// <inheritdoc/>
    public override string ToString() => DefenderApiErrorReader.Describe(this);
}
