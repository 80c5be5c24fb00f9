using System.Net;
using System.Text.Json;
using Defender.SampleApi.Data;
using Defender.SampleApi.Tests.Infrastructure;

namespace Defender.SampleApi.Tests.Security;

/// <summary>
/// Finding: indicator ids were max + 1, so after deleting "5" the next indicator was "5" again — a client holding the old id
/// then deleted or read someone else's indicator. The database hands ids out now and never reuses one; and on each database the
/// tenant boundary holds the same way.
/// </summary>
public sealed class IndicatorIdTests
{
    [Theory]
    [SqliteData]
    [PostgresData]
    public async Task DeletedIndicatorsId_IsNeverHandedOutAgain(SampleDatabaseKind database)
    {
        await using var server = DatabaseSampleApiFactory.Create(database);
        var admin = server.CreateClient("dev-admin");

        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync("/api/indicators/5")).StatusCode);
        var six = await CreateAsync(admin, "six.contoso-evil.example");
        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync($"/api/indicators/{six}")).StatusCode);
        var seven = await CreateAsync(admin, "seven.contoso-evil.example");
        var imported = await admin.PostJsonAsync("/api/indicators/import",
            """{"Indicators":[{"indicatorValue":"eight.contoso-evil.example","indicatorType":"DomainName","action":"Audit","title":"t","description":"d"}]}""");
        // Another tenant draws from the same sequence: ids never collide across tenants either.
        var fabrikams = await CreateAsync(server.CreateClient("dev-nolive"), "five.fabrikam-evil.example");

        Assert.Equal(("6", "7", "9"), (six, seven, fabrikams));
        using var result = JsonDocument.Parse(await imported.Content.ReadAsStringAsync());
        Assert.Equal("8", result.RootElement.GetProperty("value")[0].GetProperty("id").GetString());
        await Envelope.AssertAsync(await admin.DeleteAsync("/api/indicators/5"), HttpStatusCode.NotFound, "ResourceNotFound", "Indicator 5 was not found");
    }

    [Theory]
    [SqliteData]
    [PostgresData]
    public async Task AnotherTenantsRecords_AnswerAsMissingOnes_OnEachDatabase(SampleDatabaseKind database)
    {
        await using var server = DatabaseSampleApiFactory.Create(database);
        var contoso = server.CreateClient("dev-admin");
        var fabrikam = server.CreateClient("dev-nolive");
        var isolate = await contoso.PostJsonAsync($"/api/machines/{SeedData.LabWindowsId}/isolate", """{"Comment":"x"}""");
        using var action = JsonDocument.Parse(await isolate.Content.ReadAsStringAsync());
        var actionId = action.RootElement.GetProperty("id").GetString();

        await Envelope.AssertAsync(await fabrikam.DeleteAsync("/api/indicators/3"), HttpStatusCode.NotFound, "ResourceNotFound", "Indicator 3 was not found");
        await Envelope.AssertAsync(await fabrikam.PostJsonAsync($"/api/machineactions/{actionId}/cancel", "{}"), HttpStatusCode.NotFound,
            "ResourceNotFound", $"MachineAction {actionId} was not found");
        await Envelope.AssertAsync(await fabrikam.PostJsonAsync($"/api/machines/{SeedData.HealthyWindowsId}/isolate", """{"Comment":"x"}"""),
            HttpStatusCode.NotFound, "ResourceNotFound", $"Machine {SeedData.HealthyWindowsId} was not found");
        Assert.NotEqual("3", await CreateAsync(fabrikam, "malware.contoso-bad.example"));
        Assert.Equal("""{"@odata.context":"http://localhost/api/$metadata#Machines","value":[{"id":"fab1e5c0a9d84b7e8f6a5b4c3d2e1f0a9b8c7d6e"}]}""",
            await fabrikam.GetStringAsync("/api/machines?$select=id"));

        Assert.Contains("\"action\":\"Block\"", await contoso.GetStringAsync("/api/indicators?$filter=id eq '3'"), StringComparison.Ordinal);
        Assert.Contains("\"status\":\"Pending\"", await contoso.GetStringAsync($"/api/machineactions/{actionId}"), StringComparison.Ordinal);
    }

    private static async Task<string> CreateAsync(HttpClient client, string domain)
    {
        var response = await client.PostJsonAsync("/api/indicators",
            $$"""{"indicatorValue":"{{domain}}","indicatorType":"DomainName","action":"Audit","title":"t","description":"d"}""");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return document.RootElement.GetProperty("id").GetString()!;
    }
}
