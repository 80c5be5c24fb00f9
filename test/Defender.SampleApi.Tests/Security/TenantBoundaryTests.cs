using System.Net;
using System.Text.Json;
using Defender.SampleApi.Data;
using Defender.SampleApi.Endpoints;
using Defender.SampleApi.Tests.Infrastructure;

namespace Defender.SampleApi.Tests.Security;

/// <summary>
/// Finding: the tenant claim was not a boundary — a fabrikam token cancelled contoso's pending isolation, isolated a contoso
/// machine, deleted a contoso indicator and fetched a contoso live response link; the 15,000-indicator cap was global. Now a
/// record of another tenant answers exactly as a missing one on every route, and the cap counts the caller's tenant.
/// </summary>
public sealed class TenantBoundaryTests(TenantBoundaryTests.Factory factory) : IClassFixture<TenantBoundaryTests.Factory>
{
    private const string Missing = "0000000000000000000000000000000000000000";

    private readonly HttpClient _contoso = factory.CreateClient("dev-admin");
    private readonly HttpClient _fabrikam = factory.CreateClient("dev-nolive");
    private readonly HttpClient _northwind = factory.CreateClient("dev-northwind");

    /// <summary>The defaults plus a third tenant that, unlike fabrikam, has LiveResponse on.</summary>
    public sealed class Factory() : FakeTimeSampleApiFactory(new Dictionary<string, string>
    {
        ["SampleApi:RateLimits:Enabled"] = "false",
        ["SampleApi:Tokens:dev-northwind:Name"] = "admin@northwind.example",
        ["SampleApi:Tokens:dev-northwind:Tenant"] = "northwind",
        ["SampleApi:Tokens:dev-northwind:Permissions:0"] = "Machine.Read.All",
        ["SampleApi:Tokens:dev-northwind:Permissions:1"] = "Machine.LiveResponse",
        ["SampleApi:Tokens:dev-northwind:Permissions:2"] = "Machine.Isolate",
        ["SampleApi:Tenants:northwind:Features:0"] = "LiveResponse",
    });

    public static TheoryData<string, string, string, string> MachineRoutes => new()
    {
        { "dev-nolive", "GET", "/api/machines/{0}", "" },
        { "dev-nolive", "POST", "/api/machines/{0}/isolate", """{"Comment":"x"}""" },
        { "dev-nolive", "POST", "/api/machines/{0}/unisolate", """{"Comment":"x"}""" },
        { "dev-nolive", "POST", "/api/machines/{0}/runAntiVirusScan", """{"Comment":"x","ScanType":"Quick"}""" },
        { "dev-nolive", "POST", "/api/machines/{0}/restrictCodeExecution", """{"Comment":"x"}""" },
        { "dev-nolive", "POST", "/api/machines/{0}/collectInvestigationPackage", """{"Comment":"x"}""" },
        { "dev-nolive", "POST", "/api/machines/{0}/offboard", """{"Comment":"x"}""" },
        { "dev-northwind", "POST", "/api/machines/{0}/runliveresponse", """{"Commands":[{"type":"RunScript","params":[{"key":"ScriptName","value":"a.ps1"}]}],"Comment":"x"}""" },
    };

    [Theory]
    [MemberData(nameof(MachineRoutes))]
    public async Task AnotherTenantsMachine_AnswersExactlyAsAMissingOne(string token, string method, string route, string body)
    {
        var client = factory.CreateClient(token);
        foreach (var id in new[] { SeedData.IsolatedWindowsId, SeedData.HealthyWindowsId, Missing })
        {
            var request = new HttpRequestMessage(new HttpMethod(method), string.Format(System.Globalization.CultureInfo.InvariantCulture, route, id));
            if (body.Length > 0)
            {
                request.Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json");
            }

            await Envelope.AssertAsync(await client.SendAsync(request), HttpStatusCode.NotFound, "ResourceNotFound", $"Machine {id} was not found");
        }

        // Nothing happened to contoso's machines.
        var actions = await _contoso.GetStringAsync("/api/machineactions");
        Assert.DoesNotContain("northwind", actions, StringComparison.Ordinal);
        Assert.DoesNotContain("fabrikam", actions, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Lists_ShowOnlyTheCallersTenant()
    {
        Assert.Equal([SeedData.FabrikamWindowsId], await IdsAsync(_fabrikam, "/api/machines"));
        Assert.Empty(await IdsAsync(_fabrikam, "/api/machines/findbytag?tag=VIP"));
        Assert.Empty(await IdsAsync(_fabrikam, "/api/machineactions"));
        Assert.Empty(await IdsAsync(_fabrikam, "/api/indicators?$filter=createdBy eq 'seed'"));
        Assert.Empty(await IdsAsync(_northwind, "/api/machines"));

        var contoso = await IdsAsync(_contoso, "/api/machines");
        Assert.Equal(14, contoso.Count);
        Assert.DoesNotContain(SeedData.FabrikamWindowsId, contoso);
        await Envelope.AssertAsync(await _contoso.GetAsync($"/api/machines/{SeedData.FabrikamWindowsId}"), HttpStatusCode.NotFound,
            "ResourceNotFound", $"Machine {SeedData.FabrikamWindowsId} was not found");
    }

    [Fact]
    public async Task AnotherTenantsPendingAction_CannotBeReadOrCancelled()
    {
        var isolate = await _contoso.PostJsonAsync($"/api/machines/{SeedData.SalesWindowsId}/isolate", """{"Comment":"Contain"}""");
        Assert.Equal(HttpStatusCode.Created, isolate.StatusCode);
        var id = IdOf(await isolate.Content.ReadAsStringAsync());

        var read = await _fabrikam.GetAsync($"/api/machineactions/{id}");
        var cancel = await _fabrikam.PostJsonAsync($"/api/machineactions/{id}/cancel", """{"Comment":"undo"}""");
        var filtered = await IdsAsync(_fabrikam, $"/api/machineactions?$filter=id eq '{id}'");

        await Envelope.AssertAsync(read, HttpStatusCode.NotFound, "ResourceNotFound", $"MachineAction {id} was not found");
        await Envelope.AssertAsync(cancel, HttpStatusCode.NotFound, "ResourceNotFound", $"MachineAction {id} was not found");
        Assert.Empty(filtered);
        using var action = JsonDocument.Parse(await _contoso.GetStringAsync($"/api/machineactions/{id}"));
        Assert.Equal("Pending", action.RootElement.GetProperty("status").GetString());
        using var machine = JsonDocument.Parse(await _contoso.GetStringAsync($"/api/machines/{SeedData.SalesWindowsId}"));
        Assert.Equal("Isolated", machine.RootElement.GetProperty("isolationState").GetString());
    }

    [Fact]
    public async Task AnotherTenantsLiveResponseResult_HasNoLink()
    {
        var start = await _contoso.PostJsonAsync($"/api/machines/{SeedData.LiveResponseWindowsId}/runliveresponse",
            """{"Commands":[{"type":"GetFile","params":[{"key":"Path","value":"C:\\windows\\notepad.exe"}]}],"Comment":"x"}""");
        Assert.Equal(HttpStatusCode.Created, start.StatusCode);
        var id = IdOf(await start.Content.ReadAsStringAsync());
        factory.Time.Advance(TimeSpan.FromSeconds(31));
        var path = $"/api/machineactions/{id}/GetLiveResponseResultDownloadLink(index=0)";
        var missing = $"/api/machineactions/{Guid.Empty}/GetLiveResponseResultDownloadLink(index=0)";

        Assert.Equal(HttpStatusCode.OK, (await _contoso.GetAsync(path)).StatusCode);
        await Envelope.AssertAsync(await _northwind.GetAsync(path), HttpStatusCode.NotFound, "ResourceNotFound", $"MachineAction {id} was not found");
        await Envelope.AssertAsync(await _northwind.GetAsync(missing), HttpStatusCode.NotFound, "ResourceNotFound", $"MachineAction {Guid.Empty} was not found");
        // A tenant without LiveResponse is told so before anything is looked up, for an existing and a missing action alike.
        await Envelope.AssertAsync(await _fabrikam.GetAsync(path), HttpStatusCode.Forbidden, "DisabledFeature", "Tenant feature LiveResponse is not enabled.");
        await Envelope.AssertAsync(await _fabrikam.GetAsync(missing), HttpStatusCode.Forbidden, "DisabledFeature", "Tenant feature LiveResponse is not enabled.");
    }

    [Fact]
    public async Task AnotherTenantsIndicator_CannotBeDeletedOrOverwritten()
    {
        var delete = await _fabrikam.DeleteAsync("/api/indicators/3");
        var submit = await _fabrikam.PostJsonAsync("/api/indicators",
            """{"indicatorValue":"malware.contoso-bad.example","indicatorType":"DomainName","action":"Allowed","title":"mine","description":"d"}""");

        await Envelope.AssertAsync(delete, HttpStatusCode.NotFound, "ResourceNotFound", "Indicator 3 was not found");
        Assert.Equal(HttpStatusCode.OK, submit.StatusCode);
        using var created = JsonDocument.Parse(await submit.Content.ReadAsStringAsync());
        Assert.NotEqual("3", created.RootElement.GetProperty("id").GetString());
        Assert.Equal(("Allowed", "mine", "admin@fabrikam.example"), (created.RootElement.GetProperty("action").GetString(),
            created.RootElement.GetProperty("title").GetString(), created.RootElement.GetProperty("createdBy").GetString()));

        using var theirs = JsonDocument.Parse(await _contoso.GetStringAsync("/api/indicators?$filter=id eq '3'"));
        var three = Assert.Single(theirs.RootElement.GetProperty("value").EnumerateArray());
        Assert.Equal(("Block", "Known C2 domain"), (three.GetProperty("action").GetString(), three.GetProperty("title").GetString()));
        Assert.DoesNotContain(created.RootElement.GetProperty("id").GetString(), await IdsAsync(_contoso, "/api/indicators"));
    }

    [Fact]
    public async Task IndicatorCap_CountsTheCallersTenantOnly()
    {
        await using var sample = new FakeTimeSampleApiFactory(new Dictionary<string, string> { ["SampleApi:RateLimits:Enabled"] = "false" });
        var contoso = sample.CreateClient("dev-admin");
        await IndicatorBoundsTests.FillAsync(sample, FieldLimits.ActiveIndicators, expired: 0);

        const string Body = """{"indicatorValue":"one-more.contoso-evil.example","indicatorType":"DomainName","action":"Block","title":"t","description":"d"}""";
        var full = await contoso.PostJsonAsync("/api/indicators", Body);
        var other = await sample.CreateClient("dev-nolive").PostJsonAsync("/api/indicators", Body);

        await Envelope.AssertAsync(full, HttpStatusCode.Forbidden, "DisallowedOperation",
            "Creating the indicator would exceed the limit of 15000 active indicators per tenant.");
        Assert.Equal(HttpStatusCode.OK, other.StatusCode);
    }

    private static string IdOf(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.GetProperty("id").GetString()!;
    }

    private static async Task<List<string>> IdsAsync(HttpClient client, string path)
    {
        var response = await client.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return document.RootElement.GetProperty("value").EnumerateArray().Select(e => e.GetProperty("id").GetString()!).ToList();
    }
}
