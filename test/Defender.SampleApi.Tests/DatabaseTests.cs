using System.Net;
using System.Text.Json;
using Defender.SampleApi.Data;
using Defender.SampleApi.Tests.Infrastructure;

namespace Defender.SampleApi.Tests;

/// <summary>
/// The sample's behaviour on each database it runs on: SQLite (the default) and PostgreSQL (when a server is available; see
/// <see cref="PostgresDataAttribute"/>). Each test gets a fresh database, so the same assertions hold on both: the shapes the
/// provider stores (dates, GUIDs, lists), the queries it translates, and the conflicts its unique indexes decide.
/// </summary>
public sealed class DatabaseTests
{
    [Theory]
    [SqliteData]
    [PostgresData]
    public async Task GetMachine_ReturnsEveryDocumentedProperty_OnEachDatabase(SampleDatabaseKind database)
    {
        await using var server = DatabaseSampleApiFactory.Create(database);
        var admin = server.CreateClient("dev-admin");

        Assert.Equal(MachineEndpointsTests.DomainControllerJson, await admin.GetStringAsync($"/api/machines/{SeedData.DomainControllerId}"));
        Assert.Equal(MachineEndpointsTests.DomainControllerJson, await admin.GetStringAsync("/api/machines/SRV-DC-01"));
    }

    [Theory]
    [SqliteData]
    [PostgresData]
    public async Task ListMachines_AppliesODataQueriesInTheDatabase_OnEachDatabase(SampleDatabaseKind database)
    {
        await using var server = DatabaseSampleApiFactory.Create(database);
        var reader = server.CreateClient("dev-reader");

        Assert.Equal(
            """{"@odata.context":"http://localhost/api/$metadata#Machines","value":[{"computerDnsName":"mac-exec-02.contoso.local","lastSeen":"2025-05-13T09:00:00Z"},{"computerDnsName":"srv-web-02.contoso.local","lastSeen":"2025-05-24T09:00:00Z"}]}""",
            await reader.GetStringAsync("/api/machines?$filter=lastSeen lt 2025-05-25T00:00:00Z&$select=computerDnsName,lastSeen&$orderby=lastSeen"));
        Assert.Equal(
            $$"""{"@odata.context":"http://localhost/api/$metadata#Machines","@odata.count":3,"value":[{"id":"{{SeedData.IsolatedWindowsId}}"},{"id":"{{SeedData.DomainControllerId}}"},{"id":"{{SeedData.InactiveMacId}}"}]}""",
            await reader.GetStringAsync("/api/machines?$filter=riskScore eq 'High'&$select=id&$count=true&$orderby=id"));
    }

    [Theory]
    [SqliteData]
    [PostgresData]
    public async Task ListMachineActionsAndTags_ApplyODataQueriesInTheDatabase_OnEachDatabase(SampleDatabaseKind database)
    {
        await using var server = DatabaseSampleApiFactory.Create(database);
        var reader = server.CreateClient("dev-reader");

        using var scans = JsonDocument.Parse(await reader.GetStringAsync(
            "/api/machineactions?$filter=requestor eq 'Analyst@contoso.com' and type eq 'RunAntiVirusScan' and creationDateTimeUtc lt 2025-05-24T00:00:00Z"));
        using var latest = JsonDocument.Parse(await reader.GetStringAsync(
            $"/api/machineactions?$filter=machineId eq '{SeedData.HealthyWindowsId}' and status eq 'Succeeded'&$orderby=creationDateTimeUtc desc&$top=2"));
        using var vip = JsonDocument.Parse(await reader.GetStringAsync("/api/machines?$filter=machineTags/any(t: t eq 'VIP')&$orderby=id"));

        Assert.Equal(["2e9da30d-27f6-4208-81f2-9cd3d67893ba"], Ids(scans));
        Assert.Equal(["69dc3630-1ccc-4342-acf3-35286eec741d", "2e9da30d-27f6-4208-81f2-9cd3d67893ba"], Ids(latest));
        Assert.Equal([SeedData.InactiveMacId, SeedData.HealthyWindowsId], Ids(vip));
    }

    [Theory]
    [SqliteData]
    [PostgresData]
    public async Task FindByTag_MatchesTagsInTheDatabase_OnEachDatabase(SampleDatabaseKind database)
    {
        await using var server = DatabaseSampleApiFactory.Create(database);
        var reader = server.CreateClient("dev-reader");

        using var exact = JsonDocument.Parse(await reader.GetStringAsync("/api/machines/findbytag?tag=VIP"));
        using var prefix = JsonDocument.Parse(await reader.GetStringAsync("/api/machines/findbytag?tag=Test&useStartsWithFilter=true"));

        Assert.Equal([SeedData.InactiveMacId, SeedData.HealthyWindowsId], Ids(exact));
        Assert.Equal([SeedData.LabWindowsId], Ids(prefix));
    }

    [Theory]
    [SqliteData]
    [PostgresData]
    public async Task Isolate_IsolatesOnceAndAnswersTheRestInProgress_WhenRequestsRace(SampleDatabaseKind database)
    {
        await using var server = DatabaseSampleApiFactory.Create(database);
        var admin = server.CreateClient("dev-admin");

        var responses = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ =>
            admin.PostJsonAsync($"/api/machines/{SeedData.SalesWindowsId}/isolate", """{"Comment":"race"}""")));

        Assert.Single(responses, r => r.StatusCode == HttpStatusCode.Created);
        foreach (var response in responses.Where(r => r.StatusCode != HttpStatusCode.Created))
        {
            await Envelope.AssertAsync(response, HttpStatusCode.BadRequest, "ActiveRequestAlreadyExists", "Action is already in progress");
        }
    }

    [Theory]
    [SqliteData]
    [PostgresData]
    public async Task RunLiveResponse_StartsOneSession_WhenRequestsRace(SampleDatabaseKind database)
    {
        await using var server = DatabaseSampleApiFactory.Create(database);
        var admin = server.CreateClient("dev-admin");

        var responses = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ =>
            admin.PostJsonAsync($"/api/machines/{SeedData.LiveResponseWindowsId}/runliveresponse", RateLimitTests.Script)));

        Assert.Single(responses, r => r.StatusCode == HttpStatusCode.Created);
        foreach (var response in responses.Where(r => r.StatusCode != HttpStatusCode.Created))
        {
            await Envelope.AssertAsync(response, HttpStatusCode.BadRequest, "ActiveRequestAlreadyExists", "Action is already in progress");
        }
    }

    [Theory]
    [SqliteData]
    [PostgresData]
    public async Task MachineAction_GoesFromPendingToSucceeded_AndCancelsWhilePending(SampleDatabaseKind database)
    {
        await using var server = DatabaseSampleApiFactory.Create(database);
        var admin = server.CreateClient("dev-admin");
        var scan = await admin.PostJsonAsync($"/api/machines/{SeedData.LabWindowsId}/runAntiVirusScan", """{"Comment":"x","ScanType":"Quick"}""");
        var isolate = await admin.PostJsonAsync($"/api/machines/{SeedData.LabWindowsId}/isolate", """{"Comment":"x"}""");
        var scanId = IdOf(await scan.Content.ReadAsStringAsync());
        var isolateId = IdOf(await isolate.Content.ReadAsStringAsync());

        var cancelled = await admin.PostJsonAsync($"/api/machineactions/{isolateId}/cancel", """{"Comment":"no"}""");
        server.Time.Advance(TimeSpan.FromSeconds(30));
        using var finished = JsonDocument.Parse(await admin.GetStringAsync($"/api/machineactions/{scanId}"));
        using var machine = JsonDocument.Parse(await admin.GetStringAsync($"/api/machines/{SeedData.LabWindowsId}"));

        Assert.Equal(HttpStatusCode.OK, cancelled.StatusCode);
        Assert.Equal("Succeeded", finished.RootElement.GetProperty("status").GetString());
        Assert.Equal("2026-03-02T08:00:30Z", finished.RootElement.GetProperty("lastUpdateDateTimeUtc").GetString());
        Assert.Equal("NotIsolated", machine.RootElement.GetProperty("isolationState").GetString());
    }

    [Theory]
    [SqliteData]
    [PostgresData]
    public async Task SubmitIndicator_GivesEachNewIndicatorItsOwnStringId_WhenRequestsRace(SampleDatabaseKind database)
    {
        await using var server = DatabaseSampleApiFactory.Create(database);
        var admin = server.CreateClient("dev-admin");

        var distinct = await Task.WhenAll(Enumerable.Range(0, 8).Select(i =>
            admin.PostJsonAsync("/api/indicators", Indicator($"race-{i}.contoso-evil.example"))));
        var same = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ =>
            admin.PostJsonAsync("/api/indicators", Indicator("same.contoso-evil.example"))));

        Assert.All(distinct.Concat(same), r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        var ids = new List<string>();
        foreach (var response in distinct)
        {
            ids.Add(IdOf(await response.Content.ReadAsStringAsync()));
        }

        // The seed holds ids 1 to 5: the racers got 6 to 13, each once.
        Assert.Equal(Enumerable.Range(6, 8), ids.Select(id => int.Parse(id, System.Globalization.CultureInfo.InvariantCulture)).Order());
        var sameIds = new HashSet<string>();
        foreach (var response in same)
        {
            sameIds.Add(IdOf(await response.Content.ReadAsStringAsync()));
        }

        Assert.Single(sameIds);
        using var list = JsonDocument.Parse(await admin.GetStringAsync("/api/indicators?$filter=indicatorValue eq 'same.contoso-evil.example'&$count=true"));
        Assert.Equal(1, list.RootElement.GetProperty("@odata.count").GetInt32());
    }

    [Theory]
    [SqliteData]
    [PostgresData]
    public async Task ImportIndicators_StoresTheBatch_OnEachDatabase(SampleDatabaseKind database)
    {
        await using var server = DatabaseSampleApiFactory.Create(database);
        var admin = server.CreateClient("dev-admin");
        var items = string.Join(",", Enumerable.Range(0, 500).Select(i => Indicator($"batch-{i}.contoso-evil.example")));

        var response = await admin.PostJsonAsync("/api/indicators/import", "{\"Indicators\":[" + items + "]}");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var results = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(
            Enumerable.Range(6, 500).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            results.RootElement.GetProperty("value").EnumerateArray().Select(r => r.GetProperty("id").GetString()));
        using var count = JsonDocument.Parse(await admin.GetStringAsync("/api/indicators?$count=true&$top=0"));
        Assert.Equal(505, count.RootElement.GetProperty("@odata.count").GetInt32());
    }

    internal static string Indicator(string domain) =>
        $$"""{"indicatorValue":"{{domain}}","indicatorType":"DomainName","action":"Block","title":"t","description":"d"}""";

    private static string IdOf(string body)
    {
        using var document = JsonDocument.Parse(body);
        return document.RootElement.GetProperty("id").GetString()!;
    }

    private static string[] Ids(JsonDocument document) =>
        [.. document.RootElement.GetProperty("value").EnumerateArray().Select(m => m.GetProperty("id").GetString()!)];
}
