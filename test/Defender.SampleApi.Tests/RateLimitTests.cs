using System.Globalization;
using System.Net;
using Defender.SampleApi.Data;
using Defender.SampleApi.Tests.Infrastructure;

namespace Defender.SampleApi.Tests;

/// <summary>
/// Defender's throttling over HTTP, on a clock the test moves: per token and route, a minute and an hour window; the documented
/// exceptions for live response and indicator import; the live response session cap; each answered 429 TooManyRequests with
/// Retry-After in whole seconds.
/// </summary>
public sealed class RateLimitTests
{
    private const string Throttled = "Too many requests. Retry after the time the Retry-After header gives.";

    [Fact]
    public async Task AnyRoute_ReturnsTooManyRequestsUntilTheMinuteWindowCloses_WhenTheTokenUsedItsCalls()
    {
        await using var factory = new FakeTimeSampleApiFactory(Limits(perMinute: 2, perHour: 100));
        var admin = factory.CreateClient("dev-admin");
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync($"/api/machines/{SeedData.MacId}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync("/api/machines/nosuch")).StatusCode);

        var third = await admin.GetAsync($"/api/machines/{SeedData.MacId}");
        factory.Time.Advance(TimeSpan.FromSeconds(45));
        var later = await admin.GetAsync($"/api/machines/{SeedData.MacId}");
        factory.Time.Advance(TimeSpan.FromSeconds(15));
        var reopened = await admin.GetAsync($"/api/machines/{SeedData.MacId}");

        await AssertThrottledAsync(third, retryAfter: 60);
        await AssertThrottledAsync(later, retryAfter: 15);
        Assert.Equal(HttpStatusCode.OK, reopened.StatusCode);
    }

    [Fact]
    public async Task Windows_ArePerTokenAndRoute_WhenOneRouteIsThrottled()
    {
        await using var factory = new FakeTimeSampleApiFactory(Limits(perMinute: 1, perHour: 100));
        var admin = factory.CreateClient("dev-admin");
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync($"/api/machines/{SeedData.MacId}")).StatusCode);

        var sameRoute = await admin.GetAsync($"/api/machines/{SeedData.LinuxId}");
        var otherRoute = await admin.GetAsync("/api/indicators");
        var otherToken = await factory.CreateClient("dev-reader").GetAsync($"/api/machines/{SeedData.MacId}");

        await AssertThrottledAsync(sameRoute, retryAfter: 60);
        Assert.Equal(HttpStatusCode.OK, otherRoute.StatusCode);
        Assert.Equal(HttpStatusCode.OK, otherToken.StatusCode);
    }

    [Fact]
    public async Task AnyRoute_ReturnsTooManyRequestsUntilTheHourWindowCloses_WhenEachMinuteStayedUnderItsLimit()
    {
        await using var factory = new FakeTimeSampleApiFactory(Limits(perMinute: 3, perHour: 5));
        var admin = factory.CreateClient("dev-admin");
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync($"/api/machines/{SeedData.MacId}")).StatusCode);
        }

        factory.Time.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync($"/api/machines/{SeedData.MacId}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync($"/api/machines/{SeedData.MacId}")).StatusCode);

        var sixth = await admin.GetAsync($"/api/machines/{SeedData.MacId}");
        factory.Time.Advance(TimeSpan.FromMinutes(59));
        var nextHour = await admin.GetAsync($"/api/machines/{SeedData.MacId}");

        await AssertThrottledAsync(sixth, retryAfter: 59 * 60);
        Assert.Equal(HttpStatusCode.OK, nextHour.StatusCode);
    }

    [Fact]
    public async Task AnyRoute_AllowsDefendersHundredAMinuteAndFifteenHundredAnHour_ByDefault()
    {
        await using var factory = new FakeTimeSampleApiFactory(new Dictionary<string, string>());
        var admin = factory.CreateClient("dev-admin");

        for (var minute = 0; minute < 15; minute++)
        {
            for (var call = 0; call < 100; call++)
            {
                var response = await admin.GetAsync("/api/machines/nosuch");
                Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            }

            if (minute == 0)
            {
                await AssertThrottledAsync(await admin.GetAsync("/api/machines/nosuch"), retryAfter: 60);
            }

            factory.Time.Advance(TimeSpan.FromMinutes(1));
        }

        // 1,500 calls in the first quarter hour: the hour window (opened by the first call) holds the rest of the hour.
        await AssertThrottledAsync(await admin.GetAsync("/api/machines/nosuch"), retryAfter: 45 * 60);
    }

    [Fact]
    public async Task RunLiveResponse_AllowsTenCallsAMinute_ByDefault()
    {
        await using var factory = new FakeTimeSampleApiFactory(new Dictionary<string, string>());
        var admin = factory.CreateClient("dev-admin");
        for (var i = 0; i < 10; i++)
        {
            // Throttling counts calls, whatever they answer.
            var response = await admin.PostJsonAsync("/api/machines/nosuch/runliveresponse", """{"Comment":"x"}""");
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        }

        await AssertThrottledAsync(await admin.PostJsonAsync("/api/machines/nosuch/runliveresponse", """{"Comment":"x"}"""), retryAfter: 60);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync("/api/machines/nosuch")).StatusCode);
    }

    [Fact]
    public async Task ImportIndicators_AllowsThirtyCallsAMinute_ByDefault()
    {
        await using var factory = new FakeTimeSampleApiFactory(new Dictionary<string, string>());
        var admin = factory.CreateClient("dev-admin");
        for (var i = 0; i < 30; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await admin.PostJsonAsync("/api/indicators/import", """{"Indicators":[]}""")).StatusCode);
        }

        await AssertThrottledAsync(await admin.PostJsonAsync("/api/indicators/import", """{"Indicators":[]}"""), retryAfter: 60);
    }

    [Fact]
    public async Task RouteLimits_FollowConfiguration_WhenARouteIsConfigured()
    {
        await using var factory = new FakeTimeSampleApiFactory(new Dictionary<string, string>
        {
            ["SampleApi:RateLimits:Routes:ListIndicators:PerMinute"] = "1",
        });
        var admin = factory.CreateClient("dev-admin");
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync("/api/indicators")).StatusCode);

        await AssertThrottledAsync(await admin.GetAsync("/api/indicators"), retryAfter: 60);
    }

    [Fact]
    public async Task AnyRoute_IsNeverThrottled_WhenRateLimitsAreDisabled()
    {
        await using var factory = new FakeTimeSampleApiFactory(new Dictionary<string, string> { ["SampleApi:RateLimits:Enabled"] = "false" });
        var admin = factory.CreateClient("dev-admin");

        for (var i = 0; i < 150; i++)
        {
            Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync("/api/machines/nosuch")).StatusCode);
        }
    }

    [Fact]
    public async Task RunLiveResponse_ReturnsTooManyRequestsUntilASessionEnds_WhenTheSessionCapIsReached()
    {
        await using var factory = new FakeTimeSampleApiFactory(new Dictionary<string, string>
        {
            ["SampleApi:RateLimits:LiveResponseSessions"] = "2",
            ["SampleApi:Actions:CompletionSeconds"] = "600",
        });
        var admin = factory.CreateClient("dev-admin");
        Assert.Equal(HttpStatusCode.Created, (await admin.PostJsonAsync($"/api/machines/{SeedData.LiveResponseWindowsId}/runliveresponse", Script)).StatusCode);
        factory.Time.Advance(TimeSpan.FromSeconds(100));
        Assert.Equal(HttpStatusCode.Created, (await admin.PostJsonAsync($"/api/machines/{SeedData.LabWindowsId}/runliveresponse", Script)).StatusCode);

        var third = await admin.PostJsonAsync($"/api/machines/{SeedData.HealthyWindowsId}/runliveresponse", Script);
        factory.Time.Advance(TimeSpan.FromSeconds(500));
        var afterTheFirstEnded = await admin.PostJsonAsync($"/api/machines/{SeedData.HealthyWindowsId}/runliveresponse", Script);

        await AssertThrottledAsync(third, retryAfter: 500);
        Assert.Equal(HttpStatusCode.Created, afterTheFirstEnded.StatusCode);
    }

    [Fact]
    public async Task AnyRoute_FollowsTheFirstVersionsKeys_WhenPermitLimitAndWindowSecondsAreSet()
    {
        await using var factory = new FakeTimeSampleApiFactory(new Dictionary<string, string>
        {
            ["SampleApi:RateLimit:PermitLimit"] = "2",
            ["SampleApi:RateLimit:WindowSeconds"] = "30",
        });
        var admin = factory.CreateClient("dev-admin");
        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync("/api/machines/nosuch")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync("/api/machines/nosuch")).StatusCode);

        var third = await admin.GetAsync("/api/machines/nosuch");
        factory.Time.Advance(TimeSpan.FromSeconds(30));
        var reopened = await admin.GetAsync("/api/machines/nosuch");

        await AssertThrottledAsync(third, retryAfter: 30);
        Assert.Equal(HttpStatusCode.NotFound, reopened.StatusCode);
    }

    [Fact]
    public async Task AnyRoute_IsLiftedByTheFirstVersionsPermitLimit_AsAScriptSetIt()
    {
        await using var factory = new FakeTimeSampleApiFactory(new Dictionary<string, string> { ["SampleApi:RateLimit:PermitLimit"] = "1000" });
        var admin = factory.CreateClient("dev-admin");

        for (var i = 0; i < 150; i++)
        {
            Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync("/api/machines/nosuch")).StatusCode);
        }
    }

    [Theory]
    [InlineData("SampleApi:RateLimits:PerMinute", "50", "both set; keep SampleApi:RateLimits:PerMinute")]
    [InlineData("SampleApi:RateLimit:WindowSeconds", "0", "the current keys are SampleApi:RateLimits:PerMinute and SampleApi:RateLimits:PerHour")]
    [InlineData("SampleApi:RateLimit:WindowSeconds", "a minute", "SampleApi:RateLimit:WindowSeconds must be a whole number")]
    public async Task Startup_RefusesTheFirstVersionsKeys_WhenTheyConflictOrCannotBeRead(string key, string value, string message)
    {
        await using var factory = new FakeTimeSampleApiFactory(new Dictionary<string, string>
        {
            ["SampleApi:RateLimit:PermitLimit"] = "1000",
            [key] = value,
        });

        var refused = Record.Exception(() => factory.CreateClient("dev-admin"));

        // The host does not start, and what it says names the keys to use.
        Assert.NotNull(refused);
        Assert.Contains(message, refused.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task DownloadLink_StillDownloads_AfterForgedLinksUsedUpTheCallersAddressWindow()
    {
        await using var factory = new FakeTimeSampleApiFactory(new Dictionary<string, string>());
        var admin = factory.CreateClient("dev-admin");
        var start = await admin.PostJsonAsync($"/api/machines/{SeedData.LiveResponseWindowsId}/runliveresponse", Script);
        Assert.Equal(HttpStatusCode.Created, start.StatusCode);
        var id = System.Text.Json.JsonDocument.Parse(await start.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString();
        factory.Time.Advance(TimeSpan.FromSeconds(30));
        var link = System.Text.Json.JsonDocument.Parse(await admin.GetStringAsync($"/api/machineactions/{id}/GetLiveResponseResultDownloadLink(index=0)"))
            .RootElement.GetProperty("value").GetString()!;
        var anonymous = factory.CreateClient(token: null);
        var forged = link[..(link.IndexOf("&sig=", StringComparison.Ordinal) + 5)] + "forged";

        var answers = new List<HttpResponseMessage>();
        for (var i = 0; i < 110; i++)
        {
            answers.Add(await anonymous.GetAsync(forged));
        }

        var download = await anonymous.GetAsync(link);

        foreach (var refused in answers.Take(100))
        {
            await Envelope.AssertAsync(refused, HttpStatusCode.Forbidden, "Forbidden", "The link is not valid; ask GetLiveResponseResultDownloadLink for a new one.");
        }

        // Forgeries stay throttled, in their sender's window; the link the service gave has a window of its own.
        foreach (var throttled in answers.Skip(100))
        {
            await AssertThrottledAsync(throttled, retryAfter: 60);
        }

        Assert.Equal(HttpStatusCode.OK, download.StatusCode);
        Assert.StartsWith("""{"script_name":"collect.ps1","exit_code":0,""", await download.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    internal const string Script = """{"Commands":[{"type":"RunScript","params":[{"key":"ScriptName","value":"collect.ps1"}]}],"Comment":"Collect"}""";

    private static Dictionary<string, string> Limits(int perMinute, int perHour) => new()
    {
        ["SampleApi:RateLimits:PerMinute"] = perMinute.ToString(CultureInfo.InvariantCulture),
        ["SampleApi:RateLimits:PerHour"] = perHour.ToString(CultureInfo.InvariantCulture),
    };

    internal static async Task AssertThrottledAsync(HttpResponseMessage response, int retryAfter)
    {
        await Envelope.AssertAsync(response, (HttpStatusCode)429, "TooManyRequests", Throttled);
        Assert.Equal([retryAfter.ToString(CultureInfo.InvariantCulture)], response.Headers.GetValues("Retry-After"));
    }
}
