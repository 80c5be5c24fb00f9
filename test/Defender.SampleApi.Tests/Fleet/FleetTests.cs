using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Defender.SampleApi.Data;
using Defender.SampleApi.Fleet;
using Defender.SampleApi.Tests.Infrastructure;
using Microsoft.Extensions.Logging;

namespace Defender.SampleApi.Tests.Fleet;

/// <summary>
/// The sample as a fleet: two instances on one Redis and one PostgreSQL database, behind a YARP gateway balancing round-robin.
/// Limits, links, conflicts and error targets behave as on one instance, whichever instance answers; the gateway's own errors
/// are envelopes too; Redis going away changes where the windows are counted, never whether the sample answers.
/// </summary>
[Collection(FleetGroup.Name)]
public sealed class FleetTests
{
    private const string NotValid = "The link is not valid; ask GetLiveResponseResultDownloadLink for a new one.";

    [FleetFact(redisOnly: true)]
    public async Task MinuteWindow_HoldsAcrossBothInstances_TheHundredAndFirstCallIsThrottledWhicheverAnswers()
    {
        await using var fleet = await FleetHarness.StartAsync(postgres: false);
        var admin = fleet.Client();
        var answered = new List<string>();
        for (var i = 0; i < 100; i++)
        {
            var response = await admin.GetAsync("/api/machines/nosuch");
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            answered.Add(FleetHarness.InstanceOf(response));
        }

        var hundredAndFirst = await admin.GetAsync("/api/machines/nosuch");
        var hundredAndSecond = await admin.GetAsync("/api/machines/nosuch");

        Assert.Equal(50, answered.Count(i => i == "A"));
        Assert.Equal(50, answered.Count(i => i == "B"));
        await RateLimitTests.AssertThrottledAsync(hundredAndFirst, retryAfter: 60);
        await RateLimitTests.AssertThrottledAsync(hundredAndSecond, retryAfter: 60);
        Assert.Equal(["A", "B"], new[] { FleetHarness.InstanceOf(hundredAndFirst), FleetHarness.InstanceOf(hundredAndSecond) }.Order());
    }

    [FleetFact(redisOnly: true)]
    public async Task HourWindow_HoldsAcrossBothInstances_AndRefusedCallsUseNoPermitOfEitherWindow()
    {
        await using var fleet = await FleetHarness.StartAsync(postgres: false, new Dictionary<string, string>
        {
            ["SampleApi:RateLimits:PerMinute"] = "2",
            ["SampleApi:RateLimits:PerHour"] = "4",
        });
        var admin = fleet.Client();
        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync("/api/machines/nosuch")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync("/api/machines/nosuch")).StatusCode);
        for (var i = 0; i < 6; i++)
        {
            await RateLimitTests.AssertThrottledAsync(await admin.GetAsync("/api/machines/nosuch"), retryAfter: 60);
        }

        // The six refusals took nothing from the hour window: two more calls fit in the next minute, then the hour is full.
        fleet.Time.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync("/api/machines/nosuch")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync("/api/machines/nosuch")).StatusCode);
        fleet.Time.Advance(TimeSpan.FromMinutes(1));
        var fifth = await admin.GetAsync("/api/machines/nosuch");
        var sixth = await admin.GetAsync("/api/machines/nosuch");
        fleet.Time.Advance(TimeSpan.FromMinutes(58));
        var nextHour = await admin.GetAsync("/api/machines/nosuch");

        await RateLimitTests.AssertThrottledAsync(fifth, retryAfter: 58 * 60);
        await RateLimitTests.AssertThrottledAsync(sixth, retryAfter: 58 * 60);
        Assert.NotEqual(FleetHarness.InstanceOf(fifth), FleetHarness.InstanceOf(sixth));
        Assert.Equal(HttpStatusCode.NotFound, nextHour.StatusCode);
    }

    [FleetFact]
    public async Task DownloadLink_FromInstanceA_DownloadsThroughB_AndForgedOrExpiredLinksFailOnBoth()
    {
        await using var fleet = await FleetHarness.StartAsync(postgres: true);
        var onA = fleet.Client(address: fleet.A.Address);
        var start = await onA.PostJsonAsync($"/api/machines/{SeedData.LiveResponseWindowsId}/runliveresponse", RateLimitTests.Script);
        Assert.Equal(HttpStatusCode.Created, start.StatusCode);
        var id = JsonDocument.Parse(await start.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString();
        fleet.Time.Advance(TimeSpan.FromSeconds(30));
        var link = new Uri(JsonDocument.Parse(await onA.GetStringAsync($"/api/machineactions/{id}/GetLiveResponseResultDownloadLink(index=0)"))
            .RootElement.GetProperty("value").GetString()!);
        Assert.Equal(fleet.A.Address.Authority, link.Authority);
        var pathAndQuery = link.PathAndQuery;
        var forged = pathAndQuery.Replace("/0?", "/1?", StringComparison.Ordinal);
        var anonymousA = fleet.Client(token: null, fleet.A.Address);
        var anonymousB = fleet.Client(token: null, fleet.B.Address);

        var fromB = await anonymousB.GetAsync(pathAndQuery);
        var throughGateway = await Task.WhenAll(Enumerable.Range(0, 2).Select(_ => fleet.Client(token: null).GetAsync(pathAndQuery)));
        var forgedOnA = await anonymousA.GetAsync(forged);
        var forgedOnB = await anonymousB.GetAsync(forged);
        fleet.Time.Advance(TimeSpan.FromMinutes(31));
        var expiredOnA = await anonymousA.GetAsync(pathAndQuery);
        var expiredOnB = await anonymousB.GetAsync(pathAndQuery);

        const string transcript = """{"script_name":"collect.ps1","exit_code":0,"script_output":"Transcript started (simulated by the Defender sample API) for collect.ps1","script_errors":""}""";
        Assert.Equal((HttpStatusCode.OK, "B", transcript), (fromB.StatusCode, FleetHarness.InstanceOf(fromB), await fromB.Content.ReadAsStringAsync()));
        Assert.Equal(["A", "B"], throughGateway.Select(FleetHarness.InstanceOf).Order());
        foreach (var response in throughGateway)
        {
            Assert.Equal(transcript, await response.Content.ReadAsStringAsync());
        }

        await Envelope.AssertAsync(forgedOnA, HttpStatusCode.Forbidden, "Forbidden", NotValid);
        await Envelope.AssertAsync(forgedOnB, HttpStatusCode.Forbidden, "Forbidden", NotValid);
        const string expired = "The link has expired; ask GetLiveResponseResultDownloadLink for a new one.";
        await Envelope.AssertAsync(expiredOnA, HttpStatusCode.Forbidden, "Forbidden", expired);
        await Envelope.AssertAsync(expiredOnB, HttpStatusCode.Forbidden, "Forbidden", expired);

        // The key ring was read from and written to the database without a failure on either instance.
        Assert.DoesNotContain(fleet.A.Logs.Entries.Concat(fleet.B.Logs.Entries), e => e.Level >= LogLevel.Error);
    }

    [FleetFact]
    public async Task Isolate_ConcurrentCallsForOneMachineSplitAcrossInstances_CreateExactlyOneAction()
    {
        await using var fleet = await FleetHarness.StartAsync(postgres: true);
        var admin = fleet.Client();

        var responses = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ =>
            admin.PostJsonAsync($"/api/machines/{SeedData.SalesWindowsId}/isolate", """{"Comment":"race"}""")));

        Assert.Equal(["A", "B"], responses.Select(FleetHarness.InstanceOf).Distinct().Order());
        Assert.Single(responses, r => r.StatusCode == HttpStatusCode.Created);
        foreach (var response in responses.Where(r => r.StatusCode != HttpStatusCode.Created))
        {
            await Envelope.AssertAsync(response, HttpStatusCode.BadRequest, "ActiveRequestAlreadyExists", "Action is already in progress");
        }
    }

    [FleetFact]
    public async Task LiveResponseSessionCap_IsSharedThroughTheDatabase()
    {
        await using var fleet = await FleetHarness.StartAsync(postgres: true, new Dictionary<string, string>
        {
            ["SampleApi:RateLimits:LiveResponseSessions"] = "2",
            ["SampleApi:Actions:CompletionSeconds"] = "600",
        });
        Assert.Equal(HttpStatusCode.Created,
            (await fleet.Client(address: fleet.A.Address).PostJsonAsync($"/api/machines/{SeedData.LiveResponseWindowsId}/runliveresponse", RateLimitTests.Script)).StatusCode);
        fleet.Time.Advance(TimeSpan.FromSeconds(100));
        Assert.Equal(HttpStatusCode.Created,
            (await fleet.Client(address: fleet.B.Address).PostJsonAsync($"/api/machines/{SeedData.LabWindowsId}/runliveresponse", RateLimitTests.Script)).StatusCode);

        var third = await Task.WhenAll(Enumerable.Range(0, 2).Select(_ =>
            fleet.Client().PostJsonAsync($"/api/machines/{SeedData.HealthyWindowsId}/runliveresponse", RateLimitTests.Script)));

        Assert.Equal(["A", "B"], third.Select(FleetHarness.InstanceOf).Order());
        foreach (var response in third)
        {
            await RateLimitTests.AssertThrottledAsync(response, retryAfter: 500);
        }
    }

    [FleetFact]
    public async Task ErrorTargets_AreUniqueAcrossInstances_EachInOneInstancesLog_AndPassTheGatewayUnchanged()
    {
        await using var fleet = await FleetHarness.StartAsync(postgres: true);
        var admin = fleet.Client();
        var anonymous = fleet.Client(token: null);

        var answers = new List<(string Instance, Guid Target)>();
        for (var i = 0; i < 10; i++)
        {
            var missing = await admin.GetAsync("/api/machines/nosuch");
            answers.Add((FleetHarness.InstanceOf(missing), Guid.Parse(await Envelope.AssertAsync(missing, HttpStatusCode.NotFound, "ResourceNotFound", "Machine nosuch was not found"))));
            var unauthorized = await anonymous.GetAsync("/api/machines");
            answers.Add((FleetHarness.InstanceOf(unauthorized), Guid.Parse(await Envelope.AssertAsync(unauthorized, HttpStatusCode.Unauthorized, "Unauthorized", "Unauthorized"))));
        }

        Assert.Equal(answers.Count, answers.Select(a => a.Target).Distinct().Count());
        Assert.Contains(answers, a => a.Instance == "A");
        Assert.Contains(answers, a => a.Instance == "B");
        foreach (var (instance, target) in answers)
        {
            // The body the client got is the one the instance wrote and logged: the gateway neither rewrote nor logged it.
            Assert.Equal([instance], fleet.LogsHolding(target));
        }
    }

    [FleetFact(redisOnly: true)]
    public async Task Gateway_AnswersItsOwnBadGatewayWithTheEnvelope_WhenAnInstanceIsDown()
    {
        await using var fleet = await FleetHarness.StartAsync(postgres: false);
        var admin = fleet.Client();
        await fleet.B.DisposeAsync();

        var responses = await Task.WhenAll(Enumerable.Range(0, 2).Select(_ => admin.GetAsync("/api/machines/nosuch")));

        var fromA = Assert.Single(responses, r => r.StatusCode == HttpStatusCode.NotFound);
        var badGateway = Assert.Single(responses, r => r.StatusCode == HttpStatusCode.BadGateway);
        var targetOfA = Guid.Parse(await Envelope.AssertAsync(fromA, HttpStatusCode.NotFound, "ResourceNotFound", "Machine nosuch was not found"));
        var targetOfGateway = Guid.Parse(await Envelope.AssertAsync(badGateway, HttpStatusCode.BadGateway, "InternalServerError", ""));
        Assert.Equal(["A"], fleet.LogsHolding(targetOfA));
        Assert.Equal(["gateway"], fleet.LogsHolding(targetOfGateway));
    }

    [FleetFact(redisOnly: true)]
    public async Task RateLimits_FallBackToEachInstancesMemory_WhenRedisStops_AndReturnToRedisWhenItIsBack()
    {
        await using var fleet = await FleetHarness.StartAsync(postgres: false, new Dictionary<string, string> { ["SampleApi:RateLimits:PerMinute"] = "4" });
        var admin = fleet.Client();
        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync("/api/machines/nosuch")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync("/api/machines/nosuch")).StatusCode);

        await fleet.Redis.StopAsync();
        var during = new List<(HttpResponseMessage Response, TimeSpan Took)>();
        for (var i = 0; i < 10; i++)
        {
            var clock = Stopwatch.StartNew();
            var response = await admin.GetAsync("/api/machines/nosuch");
            during.Add((response, clock.Elapsed));
        }

        // Fail open to the instance: each counts its own window of 4 from the moment Redis went away (8 served, then 429s).
        Assert.All(during.Take(8), d => Assert.Equal(HttpStatusCode.NotFound, d.Response.StatusCode));
        foreach (var (response, _) in during.Skip(8))
        {
            await RateLimitTests.AssertThrottledAsync(response, retryAfter: 60);
        }

        Assert.All(during, d => Assert.True(d.Took < TimeSpan.FromSeconds(5), $"A call took {d.Took} while Redis was down."));
        foreach (var instance in new[] { fleet.A, fleet.B })
        {
            var warning = Assert.Single(instance.Logs.Entries, e => e.EventId.Name == "RedisUnavailable");
            Assert.Equal((LogLevel.Warning, typeof(RedisWindowStore).FullName), (warning.Level, warning.Category));
            Assert.DoesNotContain(instance.Logs.Entries, e => e.Level >= LogLevel.Error);
        }

        await fleet.Redis.RestartAsync();
        var back = Stopwatch.StartNew();
        while (!new[] { fleet.A, fleet.B }.All(i => i.Logs.Entries.Any(e => e.EventId.Name == "RedisAvailable")) && back.Elapsed < TimeSpan.FromSeconds(20))
        {
            // A fresh minute for every call, wherever it is counted, until both instances have asked Redis again.
            fleet.Time.Advance(TimeSpan.FromMinutes(1));
            Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync("/api/machines/nosuch")).StatusCode);
            await Task.Delay(200);
        }

        Assert.All(new[] { fleet.A, fleet.B }, i => Assert.Contains(i.Logs.Entries, e => e.EventId.Name == "RedisAvailable" && e.Level == LogLevel.Information));

        // Counted in Redis again: one window of 4 for both instances, not 4 each.
        fleet.Time.Advance(TimeSpan.FromMinutes(1));
        for (var i = 0; i < 4; i++)
        {
            Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync("/api/machines/nosuch")).StatusCode);
        }

        await RateLimitTests.AssertThrottledAsync(await admin.GetAsync("/api/machines/nosuch"), retryAfter: 60);
        await RateLimitTests.AssertThrottledAsync(await admin.GetAsync("/api/machines/nosuch"), retryAfter: 60);
    }

    [FleetFact(redisOnly: true)]
    public async Task RateLimits_AnswerWithinTheRedisTimeout_WhenRedisHangs()
    {
        await using var fleet = await FleetHarness.StartAsync(postgres: false);
        var admin = fleet.Client();
        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync("/api/machines/nosuch")).StatusCode);

        await fleet.Redis.PauseAsync();
        var clock = Stopwatch.StartNew();
        var responses = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => admin.GetAsync("/api/machines/nosuch")));
        var took = clock.Elapsed;
        await fleet.Redis.ResumeAsync();

        // Served from each instance's memory once the 1-second command timeout passed; no 500, nothing waits on Redis longer.
        foreach (var response in responses)
        {
            await Envelope.AssertAsync(response, HttpStatusCode.NotFound, "ResourceNotFound", "Machine nosuch was not found");
        }

        Assert.True(took < TimeSpan.FromSeconds(5), $"The calls took {took} while Redis hung.");
        Assert.Contains(fleet.A.Logs.Entries.Concat(fleet.B.Logs.Entries), e => e.EventId.Name == "RedisUnavailable");
    }
}
