using System.Globalization;
using System.Net;
using System.Text;
using Defender.SampleApi.Data;
using Microsoft.Extensions.Logging;

namespace Defender.SampleApi.Tests.Reliability;

/// <summary>
/// The security review of docs/security.md, as tests: echoes are bounded and escaped, CR/LF forges neither a log line nor a
/// header, 401 keeps its challenge, 403 does not tell whether a resource exists, the rate limiter answers 429 with Retry-After.
/// </summary>
[Collection(ReliabilityGroup.Name)]
public sealed class SecurityTests
{
    private const string Forgery = "abc\r\nSet-Cookie: evil=1\r\n\r\n<html>forged";

    [Fact]
    public async Task CrLfInAPath_ForgesNoHeaderOnTheWire_AndIsEscapedInTheMessage()
    {
        await using var host = new ReliabilityHost(kestrel: true).Start();

        var (status, headers, body) = await FuzzTests.RawAsync(host.Address,
            $"GET /api/machines/{Uri.EscapeDataString(Forgery)} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer dev-admin\r\n\r\n");

        Assert.Equal(404, status);
        var names = headers.Split("\r\n").Skip(1).Select(line => line[..line.IndexOf(':', StringComparison.Ordinal)].ToLowerInvariant()).Order();
        Assert.Equal(["cache-control", "connection", "content-length", "content-type", "date", "pragma", "server", "x-content-type-options", "x-ms-error-code"], names);
        Assert.Null(StrictEnvelope.ParseStrict(body, out var error));
        Assert.Equal("Machine abc\\r\\nSet-Cookie: evil=1\\r\\n\\r\\n<html>forged was not found", error.Message);
    }

    [Fact]
    public async Task CrLfAndInvisibleControls_ForgeNoLogLine_InTheMessageOrThePath()
    {
        await using var host = new ReliabilityHost().Start();
        using var client = host.Client();
        var value = "Block\r\n12:00:00 info: Admin signed in\u2028\u0085\u009b\u202etxt.exe\u2066\t\u001b[2J";

        var response = await client.PostAsync($"/api/indicators?x={Uri.EscapeDataString(Forgery)}", new StringContent(
            $$"""{"indicatorValue":"203.0.113.9","indicatorType":"IpAddress","action":{{System.Text.Json.JsonSerializer.Serialize(value)}},"title":"t","description":"d"}""",
            Encoding.UTF8, "application/json"));
        var path = await client.GetAsync($"/api/machines/{Uri.EscapeDataString(Forgery)}");

        Assert.Null(StrictEnvelope.Check(response, await response.Content.ReadAsByteArrayAsync(), out var invalid));
        Assert.Equal("Invalid input Block\\r\\n12:00:00 info: Admin signed in\\u2028\\u0085\\u009b\\u202etxt.exe\\u2066\\t\\u001b[2J.", invalid.Message);
        Assert.Null(StrictEnvelope.Check(path, await path.Content.ReadAsByteArrayAsync(), out var notFound));
        foreach (var target in new[] { invalid.Target, notFound.Target })
        {
            var entry = Assert.Single(host.Logs.Entries, r => r.Target == target);
            foreach (var text in new[] { entry.Message, (string)entry.Field("Path")!, (string)entry.Field("ErrorMessage")! })
            {
                Assert.DoesNotContain(text, c => c is '\r' or '\n' or '\u2028' or '\u2029' or '\u0085' or '\u001b' or '\u202e' or '\u2066' or '\t');
            }
        }

        var logged = Assert.Single(host.Logs.Entries, r => r.Target == notFound.Target);
        Assert.Equal("/api/machines/abc\\r\\nSet-Cookie: evil=1\\r\\n\\r\\n<html>forged", logged.Field("Path"));
    }

    [Fact]
    public async Task LongValues_AreCutTo128Characters_AndODataReasonsTo512()
    {
        await using var host = new ReliabilityHost().Start();
        using var client = host.Client();
        var action = new string('x', 5_000);

        var response = await client.PostAsync("/api/indicators", new StringContent(
            $$"""{"indicatorValue":"203.0.113.9","indicatorType":"IpAddress","action":"{{action}}","title":"t","description":"d"}""",
            Encoding.UTF8, "application/json"));
        var odata = await client.GetAsync("/api/machines?$filter=" + new string('p', 2_000) + " eq 1");

        Assert.Null(StrictEnvelope.Check(response, await response.Content.ReadAsByteArrayAsync(), out var invalid));
        Assert.Equal("Invalid input " + new string('x', 128) + "….", invalid.Message);
        Assert.Null(StrictEnvelope.Check(odata, await odata.Content.ReadAsByteArrayAsync(), out var query));
        Assert.Equal("ODataError", query.Code);
        Assert.StartsWith("Invalid OData URI query: ", query.Message, StringComparison.Ordinal);
        Assert.InRange(query.Message.Length - "Invalid OData URI query: ".Length, 1, 512 + 1);
    }

    public static TheoryData<string, string> ProtectedRoutes => new()
    {
        { "GET", "/api/machines" },
        { "GET", $"/api/machines/{SeedData.MacId}" },
        { "POST", $"/api/machines/{SeedData.MacId}/isolate" },
        { "POST", $"/api/machines/{SeedData.MacId}/unisolate" },
        { "POST", $"/api/machines/{SeedData.MacId}/runliveresponse" },
        { "GET", "/api/machineactions/nosuch" },
        { "GET", "/api/indicators" },
        { "POST", "/api/indicators" },
        { "DELETE", "/api/indicators/1" },
        { "POST", "/api/indicators/import" },
    };

    [Theory]
    [MemberData(nameof(ProtectedRoutes))]
    public async Task ProtectedRoute_KeepsTheBearerChallenge_WhenNoTokenIsSent(string method, string path)
    {
        await using var host = new ReliabilityHost().Start();
        using var client = host.Client(token: null);

        var response = await client.SendAsync(new HttpRequestMessage(new HttpMethod(method), path) { Content = JsonBody() });

        Assert.Null(StrictEnvelope.Check(response, await response.Content.ReadAsByteArrayAsync(), out var error));
        Assert.Equal((HttpStatusCode.Unauthorized, "Unauthorized", "Unauthorized"), (response.StatusCode, error.Code, error.Message));
        Assert.Equal(["Bearer"], response.Headers.GetValues("WWW-Authenticate"));
    }

    public static TheoryData<string, string, string, string> ExistingAndMissing => new()
    {
        // Authorization runs before the handler looks anything up, so a weaker token learns nothing about what exists.
        { "dev-reader", "POST", $"/api/machines/{SeedData.LabWindowsId}/isolate", "/api/machines/no-such-machine/isolate" },
        { "dev-reader", "POST", $"/api/machines/{SeedData.IsolatedWindowsId}/unisolate", "/api/machines/no-such-machine/unisolate" },
        { "dev-reader", "POST", $"/api/machines/{SeedData.LiveResponseWindowsId}/runliveresponse", "/api/machines/no-such-machine/runliveresponse" },
        { "dev-reader", "DELETE", "/api/indicators/1", "/api/indicators/999999" },
        // The tenant check comes before the lookup too: DisabledFeature for both.
        { "dev-nolive", "POST", $"/api/machines/{SeedData.LiveResponseWindowsId}/runliveresponse", "/api/machines/no-such-machine/runliveresponse" },
        // An unknown token is refused before anything else.
        { "dev-nobody", "GET", $"/api/machines/{SeedData.MacId}", "/api/machines/no-such-machine" },
        { "dev-nobody", "DELETE", "/api/indicators/1", "/api/indicators/999999" },
    };

    [Theory]
    [MemberData(nameof(ExistingAndMissing))]
    public async Task RefusedRequest_LooksTheSame_WhetherTheResourceExistsOrNot(string token, string method, string existing, string missing)
    {
        await using var host = new ReliabilityHost().Start();
        using var client = host.Client(token);

        var first = await client.SendAsync(new HttpRequestMessage(new HttpMethod(method), existing) { Content = JsonBody() });
        var second = await client.SendAsync(new HttpRequestMessage(new HttpMethod(method), missing) { Content = JsonBody() });

        Assert.Null(StrictEnvelope.Check(first, await first.Content.ReadAsByteArrayAsync(), out var a));
        Assert.Null(StrictEnvelope.Check(second, await second.Content.ReadAsByteArrayAsync(), out var b));
        Assert.Contains(first.StatusCode, new[] { HttpStatusCode.Unauthorized, HttpStatusCode.Forbidden });
        Assert.Equal((first.StatusCode, a.Code, a.Message), (second.StatusCode, b.Code, b.Message));
        Assert.Equal(Headers(first), Headers(second));

        // And the resource really is there: the same route with full rights succeeds or fails for another reason than absence.
        using var admin = host.Client();
        var real = await admin.GetAsync(existing.Contains("/indicators", StringComparison.Ordinal) ? "/api/indicators?$filter=id eq '1'" : $"/api/machines/{existing.Split('/')[3]}");
        Assert.Equal(HttpStatusCode.OK, real.StatusCode);
        Assert.DoesNotContain("\"value\":[]", await real.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RateLimit_AnswersTooManyRequestsWithRetryAfter_AndInventedTokensBuyNoMoreCalls()
    {
        await using var host = new ReliabilityHost(settings: new Dictionary<string, string>
        {
            ["SampleApi:RateLimits:Enabled"] = "true",
            ["SampleApi:RateLimits:PerMinute"] = "3",
        }).Start();

        // Three invented tokens use up the address's window; a fourth is throttled, not merely refused.
        for (var i = 0; i < 3; i++)
        {
            using var invented = host.Client($"invented-{i}");
            Assert.Equal(HttpStatusCode.Unauthorized, (await invented.GetAsync($"/api/machines/{SeedData.MacId}")).StatusCode);
        }

        using var fourth = host.Client("invented-3");
        var throttled = await fourth.GetAsync($"/api/machines/{SeedData.MacId}");

        Assert.Null(StrictEnvelope.Check(throttled, await throttled.Content.ReadAsByteArrayAsync(), out var error));
        Assert.Equal(((HttpStatusCode)429, "TooManyRequests", "Too many requests. Retry after the time the Retry-After header gives."),
            (throttled.StatusCode, error.Code, error.Message));
        Assert.InRange(int.Parse(throttled.Headers.GetValues("Retry-After").Single(), CultureInfo.InvariantCulture), 1, 60);
        Assert.Single(host.Logs.Entries, r => r.Target == error.Target);

        // A real token has its own window.
        using var admin = host.Client();
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync($"/api/machines/{SeedData.MacId}")).StatusCode);
    }

    [Fact]
    public async Task UnknownCharset_AnswersInvalidRequestBody_NotAServerError()
    {
        await using var host = new ReliabilityHost().Start();
        using var client = host.Client();
        var content = new ByteArrayContent("""{"Comment":"x"}"""u8.ToArray());
        content.Headers.TryAddWithoutValidation("Content-Type", "application/json; charset=nonsense");

        var response = await client.PostAsync($"/api/machines/{SeedData.LabWindowsId}/isolate", content);

        Assert.Null(StrictEnvelope.Check(response, await response.Content.ReadAsByteArrayAsync(), out var error));
        Assert.Equal("InvalidRequestBody", error.Code);
        Assert.Equal("The request body's charset nonsense is not supported; send UTF-8 JSON.", error.Message);
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
    }

    [Fact]
    public async Task PathWithNul_IsRefusedByKestrelItself_WithAnEmpty400()
    {
        await using var host = new ReliabilityHost(kestrel: true).Start();

        var (status, headers, body) = await FuzzTests.RawAsync(host.Address,
            "GET /api/machines/a%00b HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer dev-admin\r\n\r\n");

        // Kestrel rejects the request line before any middleware runs: no envelope is possible, and nothing is shown.
        Assert.Equal(400, status);
        Assert.Contains("Content-Length: 0", headers, StringComparison.OrdinalIgnoreCase);
        Assert.Empty(body);
        Assert.DoesNotContain(host.Logs.Entries, r => r.Category == LogCapture.DefenderCategory && r.Level >= LogLevel.Warning);
    }

    private static StringContent JsonBody() =>
        new("""{"Comment":"x","Commands":[{"type":"RunScript"}],"indicatorValue":"203.0.113.9","indicatorType":"IpAddress","action":"Alert","title":"t","description":"d","Indicators":[]}""",
            Encoding.UTF8, "application/json");

    private static string Headers(HttpResponseMessage response) =>
        string.Join("\n", response.Headers.Concat(response.Content.Headers)
            .Where(h => h.Key is not "Date")
            .OrderBy(h => h.Key, StringComparer.OrdinalIgnoreCase)
            .Select(h => h.Key + ": " + string.Join(",", h.Value)));
}
