using System.Net;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.RegularExpressions;
using Defender.ErrorMiddleware;

namespace Defender.SampleApi.Tests.Reliability;

/// <summary>An error body that passed <see cref="StrictEnvelope.Check"/>.</summary>
public readonly record struct ParsedError(string Code, string Message, Guid Target);

/// <summary>
/// Judges one response without trusting it: an error must be exactly the envelope (one property <c>error</c> holding exactly
/// <c>code</c>, <c>message</c>, <c>target</c> in that order, byte for byte what the writer emits), with the error headers, and no
/// response may show anything of the server's inside that the request did not itself contain.
/// </summary>
public static partial class StrictEnvelope
{
    /// <summary>The documented codes plus the two the sample registers (TooManyRequests is the library's own registration).</summary>
    public static readonly IReadOnlySet<string> Codes =
        new HashSet<string>([.. Enum.GetNames<DefenderErrorCode>(), "TooManyRequests", "ActiveRequestAlreadyExists"], StringComparer.Ordinal);

    /// <summary>What a leaked exception, stack trace, source path or database error would show.</summary>
    public static readonly string[] LeakMarkers =
    [
        "System.", "Microsoft.", "Exception", "   at ", "/work/", "/home/", "/usr/", ".cs:line", ".dll", "StackTrace",
        "SELECT ", "INSERT ", "UPDATE ", "DELETE FROM", "SQLite Error", "SqliteException", "Defender.SampleApi", "Defender.ErrorMiddleware",
        "hunter2", "Password=", "<html", "<!DOCTYPE",
    ];

    private static readonly JsonSerializerOptions Relaxed = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>
    /// Checks an error response: status 4xx/5xx, the exact envelope, the headers every error carries, and
    /// <c>x-ms-error-code</c> equal to the body's code. Returns null and the parsed error, or a description of the first fault.
    /// </summary>
    public static string? Check(HttpResponseMessage response, byte[] body, out ParsedError error)
    {
        error = default;
        var status = (int)response.StatusCode;
        if (status < 400)
        {
            return $"status {status} is not an error";
        }

        if (response.Content.Headers.ContentType?.ToString() != "application/json; charset=utf-8")
        {
            return $"Content-Type '{response.Content.Headers.ContentType}'";
        }

        if (response.Headers.CacheControl?.ToString() != "no-store")
        {
            return $"Cache-Control '{response.Headers.CacheControl}'";
        }

        if (!response.Headers.TryGetValues("X-Content-Type-Options", out var nosniff) || !nosniff.SequenceEqual(["nosniff"]))
        {
            return "X-Content-Type-Options is not exactly nosniff";
        }

        if (ParseStrict(body, out error) is { } parseFailure)
        {
            return parseFailure;
        }

        if (!response.Headers.TryGetValues("x-ms-error-code", out var header) || !header.SequenceEqual([error.Code]))
        {
            return $"x-ms-error-code does not equal the body's code {error.Code}";
        }

        if (response.Content.Headers.ContentLength is { } length && length != body.Length)
        {
            return $"Content-Length {length} but {body.Length} bytes";
        }

        return null;
    }

    /// <summary>Parses an envelope strictly; returns null on success or what is wrong.</summary>
    public static string? ParseStrict(byte[] body, out ParsedError error)
    {
        error = default;
        string text;
        try
        {
            text = StrictUtf8.GetString(body);
        }
        catch (DecoderFallbackException)
        {
            return "body is not valid UTF-8";
        }

        string? code = null, message = null, target = null;
        try
        {
            var reader = new Utf8JsonReader(body, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow, MaxDepth = 3 });
            Expect(ref reader, JsonTokenType.StartObject);
            ExpectName(ref reader, "error");
            Expect(ref reader, JsonTokenType.StartObject);
            code = ReadMember(ref reader, "code");
            message = ReadMember(ref reader, "message");
            target = ReadMember(ref reader, "target");
            Expect(ref reader, JsonTokenType.EndObject);
            Expect(ref reader, JsonTokenType.EndObject);
            if (reader.Read())
            {
                return "data after the envelope";
            }
        }
        catch (Exception exception) when (exception is JsonException or InvalidOperationException or FormatException)
        {
            return "not the envelope: " + exception.Message;
        }

        if (!Codes.Contains(code!))
        {
            return $"code '{code}' is neither documented nor registered";
        }

        if (!GuidPattern().IsMatch(target!))
        {
            return $"target '{target}' is not a lower-case GUID";
        }

        // The writer's exact bytes: no other member order, spacing or escaping.
        var canonical = "{\"error\":{\"code\":" + JsonSerializer.Serialize(code, Relaxed) + ",\"message\":"
            + JsonSerializer.Serialize(message, Relaxed) + ",\"target\":\"" + target + "\"}}";
        if (canonical != text)
        {
            return "not byte-for-byte the envelope the writer emits";
        }

        error = new ParsedError(code!, message!, Guid.Parse(target!));
        return null;
    }

    /// <summary>The first leak marker the response shows that the request did not contain itself (an echo is not a leak).</summary>
    public static string? FindLeak(string responseText, string requestText)
    {
        // A stack frame: "at Namespace.Type.Method(" ("at $.Comment" in a JSON path message is not one).
        if (StackFrame().Match(responseText) is { Success: true } frame && !requestText.Contains(frame.Value, StringComparison.Ordinal))
        {
            return frame.Value;
        }

        foreach (var marker in LeakMarkers)
        {
            if (responseText.Contains(marker, StringComparison.Ordinal) && !requestText.Contains(marker, StringComparison.Ordinal))
            {
                return marker;
            }
        }

        return null;
    }

    /// <summary>Whether the status is what the code is documented (or registered) with; bodiless statuses keep their own.</summary>
    public static bool StatusFits(HttpStatusCode status, string code) => ((int)status, code) switch
    {
        (401, "Unauthorized") or (403, "Forbidden" or "DisabledFeature" or "DisallowedOperation") => true,
        (404, "NotFound" or "ResourceNotFound") or (429, "TooManyRequests") or (500, "InternalServerError") => true,
        // 400 for every bad-request code; 405/406/408/414/431 BadRequest and 411/413/415 InvalidRequestBody keep their status.
        (400, _) => code is not ("Unauthorized" or "Forbidden" or "DisabledFeature" or "DisallowedOperation" or "NotFound"
            or "ResourceNotFound" or "TooManyRequests" or "InternalServerError"),
        (405 or 406 or 408 or 414 or 431, "BadRequest") or (411 or 413 or 415, "InvalidRequestBody") => true,
        _ => false,
    };

    [GeneratedRegex(@"\bat [A-Za-z_][\w`<>]*(\.[\w`<>]+)+\(")]
    private static partial Regex StackFrame();

    [GeneratedRegex("^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")]
    private static partial Regex GuidPattern();

    private static void Expect(ref Utf8JsonReader reader, JsonTokenType type)
    {
        if (!reader.Read() || reader.TokenType != type)
        {
            throw new FormatException($"expected {type} at byte {reader.BytesConsumed}");
        }
    }

    private static void ExpectName(ref Utf8JsonReader reader, string name)
    {
        Expect(ref reader, JsonTokenType.PropertyName);
        if (!reader.ValueTextEquals(name))
        {
            throw new FormatException($"expected property '{name}', found '{reader.GetString()}'");
        }
    }

    private static string ReadMember(ref Utf8JsonReader reader, string name)
    {
        ExpectName(ref reader, name);
        Expect(ref reader, JsonTokenType.String);
        return reader.GetString()!;
    }
}
