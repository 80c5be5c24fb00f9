using System.Net;

namespace Defender.ErrorMiddleware.Client;

/// <summary>
/// An error response from a Microsoft 365 Defender-style API, read from its <c>{"error":{"code","message","target"}}</c> envelope,
/// or, when the body is not one (an HTML 502 from a proxy, an empty 503, truncated JSON), its status and raw text.
/// </summary>
public sealed class DefenderApiError
{
    internal DefenderApiError(
        HttpStatusCode statusCode,
        string? codeName,
        DefenderErrorCode? code,
        string? message,
        Guid? target,
        TimeSpan? retryAfter,
        DateTimeOffset? retryAfterDate,
        bool isEnvelope,
        string? rawContent)
    {
        StatusCode = statusCode;
        CodeName = codeName;
        Code = code;
        Message = message;
        Target = target;
        RetryAfter = retryAfter;
        RetryAfterDate = retryAfterDate;
        IsEnvelope = isEnvelope;
        RawContent = rawContent;
    }

    /// <summary>The HTTP status.</summary>
    public HttpStatusCode StatusCode { get; }

    /// <summary>
    /// The documented code, or <see langword="null"/> when the code is one this library does not know (an application-registered
    /// code such as <c>TooManyRequests</c>: read <see cref="CodeName"/>) or there is no envelope.
    /// </summary>
    public DefenderErrorCode? Code { get; }

    /// <summary>
    /// The code exactly as the server wrote it (<c>error.code</c>, else the <c>x-ms-error-code</c> header), or <see langword="null"/>
    /// when the response carries neither.
    /// </summary>
    public string? CodeName { get; }

    /// <summary>The server's message (<c>error.message</c>; may be empty), or <see langword="null"/> when there is no envelope.</summary>
    public string? Message { get; }

    /// <summary>The error's tracking ID (<c>error.target</c>): quote it when contacting support. <see langword="null"/> when absent or not a GUID.</summary>
    public Guid? Target { get; }

    /// <summary>How long to wait before retrying, from <c>Retry-After</c> (sent with 429 and 503); <see langword="null"/> when absent.</summary>
    public TimeSpan? RetryAfter { get; }

    /// <summary>The <c>Retry-After</c> header's date, when the server sent a date rather than a number of seconds.</summary>
    public DateTimeOffset? RetryAfterDate { get; }

    /// <summary>Whether the body was a well-formed Defender error envelope.</summary>
    public bool IsEnvelope { get; }

    /// <summary>
    /// The body as text when it was not an envelope, cut to <see cref="DefenderApiErrorReader.MaxRawContentLength"/> characters;
    /// <see langword="null"/> for an envelope, an empty string for an empty body.
    /// </summary>
    public string? RawContent { get; }

    /// <inheritdoc/>
    public override string ToString() => DefenderApiErrorReader.Describe(this);
}
