using System.Net;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Defender.SampleApi.Tests.Infrastructure;

/// <summary>Asserts an error response completely: status, headers and the exact body, byte for byte but the target.</summary>
public static partial class Envelope
{
    private static readonly JsonSerializerOptions Relaxed = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Checks the response and returns its target.</summary>
    public static async Task<string> AssertAsync(HttpResponseMessage response, HttpStatusCode status, string code, string message)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"Expected {(int)status}, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/json; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
        Assert.Equal(["nosniff"], response.Headers.GetValues("X-Content-Type-Options"));
        Assert.Equal([code], response.Headers.GetValues("x-ms-error-code"));

        var target = TargetOf(body);
        Assert.Equal(Expected(code, message, target), body);
        return target;
    }

    public static string Expected(string code, string message, string target) =>
        "{\"error\":{\"code\":" + JsonSerializer.Serialize(code, Relaxed)
        + ",\"message\":" + JsonSerializer.Serialize(message, Relaxed)
        + ",\"target\":\"" + target + "\"}}";

    /// <summary>The target of a body, after checking it is a lower-case GUID with hyphens.</summary>
    public static string TargetOf(string body)
    {
        using var document = JsonDocument.Parse(body);
        var target = document.RootElement.GetProperty("error").GetProperty("target").GetString();
        Assert.NotNull(target);
        Assert.Matches(GuidPattern(), target);
        return target;
    }

    [GeneratedRegex("^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")]
    public static partial Regex GuidPattern();
}
