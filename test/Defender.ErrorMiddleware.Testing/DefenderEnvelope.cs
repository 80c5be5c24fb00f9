using System.Net;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.RegularExpressions;
using Xunit;

namespace Defender.ErrorMiddleware.Testing;

/// <summary>
/// Asserts an error response completely: status, the error headers and the exact body, byte for byte but the target
/// (which must be a lower-case GUID with hyphens). Written from the contract, not from the code under test.
/// </summary>
public static partial class DefenderEnvelope
{
    // The writer escapes like System.Text.Json's relaxed encoder: quotes and controls, not apostrophes or non-ASCII.
    private static readonly JsonSerializerOptions Relaxed = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>
    /// Checks status, headers (content type, no-store, nosniff, <c>x-ms-error-code</c>, length) and the exact body; returns
    /// the target. Behind <c>UseExceptionHandler()</c> the framework adds its own <c>no-cache</c> to a handled exception's
    /// answer: pass the Cache-Control expected there.
    /// </summary>
    public static async Task<Guid> AssertErrorAsync(HttpResponseMessage response, HttpStatusCode status, string code, string message, string cacheControl = "no-store")
    {
        ArgumentNullException.ThrowIfNull(response);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"Expected {(int)status} {status}, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/json; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        Assert.Equal(cacheControl, response.Headers.CacheControl?.ToString());
        Assert.Equal(["nosniff"], response.Headers.GetValues("X-Content-Type-Options"));
        Assert.Equal([code], response.Headers.GetValues("x-ms-error-code"));
        Assert.Equal(Encoding.UTF8.GetByteCount(body), response.Content.Headers.ContentLength);

        return AssertBody(body, code, message);
    }

    /// <summary>Checks the body is exactly the envelope with this code and message and a lower-case GUID target; returns the target.</summary>
    public static Guid AssertBody(string body, string code, string message)
    {
        var target = TargetOf(body);
        Assert.Equal(Expected(code, message, target), body);
        return Guid.Parse(target);
    }

    /// <summary>The exact body the contract prescribes for this code, message and target.</summary>
    public static string Expected(string code, string message, string target) =>
        "{\"error\":{\"code\":" + JsonSerializer.Serialize(code, Relaxed)
        + ",\"message\":" + JsonSerializer.Serialize(message, Relaxed)
        + ",\"target\":" + JsonSerializer.Serialize(target, Relaxed) + "}}";

    /// <summary>The target of a body, after checking it is a lower-case GUID with hyphens.</summary>
    public static string TargetOf(string body)
    {
        string? target = null;
        try
        {
            using var document = JsonDocument.Parse(body);
            if (document.RootElement is { ValueKind: JsonValueKind.Object } root && root.TryGetProperty("error", out var error)
                && error.ValueKind == JsonValueKind.Object && error.TryGetProperty("target", out var value) && value.ValueKind == JsonValueKind.String)
            {
                target = value.GetString();
            }
        }
        catch (JsonException)
        {
            // Not JSON: reported below with the body.
        }

        Assert.True(target is not null && GuidPattern().IsMatch(target), $"No lower-case GUID target in: {body}");
        return target;
    }

    /// <summary>A lower-case GUID with hyphens, the "D" format the contract's examples use.</summary>
    [GeneratedRegex("^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")]
    public static partial Regex GuidPattern();
}
