using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Defender.ErrorMiddleware.Catalog;

namespace Defender.ErrorMiddleware.Client;

/// <summary>Reads Defender error responses from <see cref="HttpResponseMessage"/>.</summary>
public static class DefenderApiErrorReader
{
    /// <summary>The most characters of a non-envelope body kept in <see cref="DefenderApiError.RawBody"/>: 4,096.</summary>
    public const int MaxRawContentLength = 4096;

    // An envelope is a few hundred bytes; anything far bigger is a proxy page, read only as far as the raw text needs.
    private const int MaxBodyBytes = 64 * 1024;

    /// <summary>
    /// Reads the error of a response whose status is 400–599; returns <see langword="null"/> for any other status.
    /// Never throws for a malformed body: a body that is not an envelope gives an error with <see cref="DefenderApiError.IsEnvelope"/>
    /// <see langword="false"/> and the (bounded) raw text. The content is consumed.
    /// </summary>
    /// <param name="response">The response.</param>
    /// <param name="cancellationToken">Cancels reading the body.</param>
    /// <returns>The error, or <see langword="null"/> for a response that is not an error.</returns>
    public static async Task<DefenderApiError?> ReadDefenderErrorAsync(this HttpResponseMessage response, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(response);
        if (!IsError(response))
        {
            return null;
        }

        var (body, truncated) = await ReadBoundedAsync(response.Content, cancellationToken).ConfigureAwait(false);
        var (retryAfter, retryAfterDate) = RetryAfter(response);
        var headers = CopyHeaders(response);
        var status = (int)response.StatusCode;
        var method = response.RequestMessage?.Method;
        var requestUri = response.RequestMessage?.RequestUri;

        if (!truncated && TryParseEnvelope(body, out var envelope))
        {
            return new DefenderApiError(
                status,
                envelope.Code,
                envelope.Message ?? string.Empty,
                Guid.TryParseExact(envelope.Target, "D", out var target) ? target : null,
                retryAfter,
                retryAfterDate,
                isEnvelope: true,
                rawBody: null,
                headers,
                method,
                requestUri);
        }

        var headerCode = response.Headers.TryGetValues(DefenderErrorHeaders.ErrorCode, out var values) ? values.FirstOrDefault() : null;
        var text = Decode(body);
        return new DefenderApiError(
            status,
            string.IsNullOrEmpty(headerCode) ? null : headerCode,
            message: null,
            target: null,
            retryAfter,
            retryAfterDate,
            isEnvelope: false,
            rawBody: text.Length > MaxRawContentLength ? text[..MaxRawContentLength] : text,
            headers,
            method,
            requestUri);
    }

    internal static bool IsError(HttpResponseMessage response) => (int)response.StatusCode is >= 400 and <= 599;

    /// <summary>The one rule for "may succeed if sent again": 408, 429 and 5xx, as the standard resilience handler and the TypeScript package judge it.</summary>
    internal static bool IsRetryableStatus(int status) => status is 408 or 429 or >= 500 and <= 599;

    internal static DefenderErrorCode? Known(string? name) =>
        DefenderErrorCatalog.TryGet(name, out var descriptor) ? descriptor.Code : null;

    internal static string Describe(DefenderApiError error)
    {
        var status = error.Status.ToString(CultureInfo.InvariantCulture);
        var text = new StringBuilder();
        if (error.IsEnvelope)
        {
            text.Append(error.Code).Append(" (").Append(status).Append(')');
            if (!string.IsNullOrEmpty(error.Message))
            {
                text.Append(": ").Append(error.Message);
            }

            if (error.Target is { } target)
            {
                text.Append(" [target ").Append(target.ToString("D")).Append(']');
            }
        }
        else
        {
            text.Append("The server answered ").Append(status);
            if (error.Code is not null)
            {
                text.Append(' ').Append(error.Code);
            }

            text.Append(" without a Defender error envelope.");
        }

        return text.ToString();
    }

    private static Dictionary<string, IReadOnlyList<string>> CopyHeaders(HttpResponseMessage response)
    {
        // Copied: the response (and its content headers) may be disposed long before the error is read.
        var headers = new Dictionary<string, IReadOnlyList<string>>(StringComparer.OrdinalIgnoreCase);
        foreach (var header in response.Headers.NonValidated)
        {
            headers[header.Key] = [.. header.Value];
        }

        foreach (var header in response.Content.Headers.NonValidated)
        {
            headers[header.Key] = [.. header.Value];
        }

        return headers;
    }

    private static bool TryParseEnvelope(byte[] body, out ErrorDto error)
    {
        error = null!;
        if (body.Length == 0)
        {
            return false;
        }

        try
        {
            var envelope = JsonSerializer.Deserialize(body, ClientJsonContext.Default.EnvelopeDto);
            if (envelope?.Error is { Code: { Length: > 0 } } parsed)
            {
                error = parsed;
                return true;
            }
        }
        catch (JsonException)
        {
            // Truncated, malformed or differently shaped JSON: reported as a non-envelope body below.
        }

        return false;
    }

    private static string Decode(byte[] body)
    {
        try
        {
            return new UTF8Encoding(false, false).GetString(body);
        }
        catch (ArgumentException)
        {
            return string.Empty;
        }
    }

    internal static (TimeSpan? Delta, DateTimeOffset? Date) RetryAfter(HttpResponseMessage response)
    {
        var header = response.Headers.RetryAfter;
        if (header is null)
        {
            return (null, null);
        }

        if (header.Delta is { } delta)
        {
            return (delta, null);
        }

        if (header.Date is { } date)
        {
            // Measured from the server's own clock when it sent one, so a skewed client clock does not distort the wait.
            var now = response.Headers.Date ?? DateTimeOffset.UtcNow;
            var wait = date - now;
            return (wait < TimeSpan.Zero ? TimeSpan.Zero : wait, date);
        }

        return (null, null);
    }

    private static async Task<(byte[] Body, bool Truncated)> ReadBoundedAsync(HttpContent content, CancellationToken cancellationToken)
    {
        var stream = await content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            var buffer = new byte[MaxBodyBytes + 1];
            var length = 0;
            try
            {
                int read;
                while (length < buffer.Length && (read = await stream.ReadAsync(buffer.AsMemory(length), cancellationToken).ConfigureAwait(false)) > 0)
                {
                    length += read;
                }
            }
            catch (IOException)
            {
                // A connection cut mid-body still leaves the status and what arrived.
            }
            catch (HttpRequestException)
            {
                // Same: the error is reported with the bytes that arrived.
            }

            var truncated = length > MaxBodyBytes;
            return (buffer.AsSpan(0, Math.Min(length, MaxBodyBytes)).ToArray(), truncated);
        }
    }
}
