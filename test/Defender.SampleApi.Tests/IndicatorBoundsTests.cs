using System.Globalization;
using System.Net;
using System.Text.Json;
using Defender.SampleApi.Data;
using Defender.SampleApi.Endpoints;
using Defender.SampleApi.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Defender.SampleApi.Tests;

/// <summary>
/// Indicators as Defender documents them (string ids, the entity with its context, who sees what) and bounded under hostile
/// writes: each stored text has a maximum, and a tenant has at most 15,000 active indicators.
/// </summary>
public sealed class IndicatorBoundsTests
{
    [Fact]
    public async Task SubmitIndicator_Returns200WithTheDocumentedEntity_AndAStringId()
    {
        await using var factory = Factory();
        var at = factory.Time.GetUtcNow().UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

        var response = await factory.CreateClient("dev-admin").PostJsonAsync("/api/indicators",
            """{"indicatorValue":"220e7d15b011d7fac48f2bd61114db1022197f7f","indicatorType":"FileSha1","title":"test","application":"demo-test","expirationTime":"2030-12-12T00:00:00Z","action":"AlertAndBlock","severity":"Informational","description":"test","recommendedActions":"nothing","rbacGroupNames":["group1","group2"]}""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(
            $$"""{"@odata.context":"http://localhost/api/$metadata#Indicators/$entity","id":"6","indicatorValue":"220e7d15b011d7fac48f2bd61114db1022197f7f","indicatorType":"FileSha1","action":"AlertAndBlock","application":"demo-test","source":"admin@contoso.example","sourceType":"AadApp","createdBySource":"admin@contoso.example","createdBy":"admin@contoso.example","severity":"Informational","title":"test","description":"test","recommendedActions":"nothing","creationTimeDateTimeUtc":"{{at}}","expirationTime":"2030-12-12T00:00:00Z","lastUpdateTime":"{{at}}","lastUpdatedBy":"admin@contoso.example","rbacGroupNames":["group1","group2"],"rbacGroupIds":[],"generateAlert":true}""",
            await response.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("indicatorValue", FieldLimits.IndicatorValue)]
    [InlineData("title", FieldLimits.Title)]
    [InlineData("description", FieldLimits.Description)]
    [InlineData("recommendedActions", FieldLimits.RecommendedActions)]
    [InlineData("application", FieldLimits.Application)]
    public async Task SubmitIndicator_ReturnsInvalidInput_WhenATextIsLongerThanItsLimit(string field, int maximum)
    {
        await using var factory = Factory();
        var body = new Dictionary<string, string>
        {
            ["indicatorValue"] = "https://long.contoso-evil.example/",
            ["indicatorType"] = "Url",
            ["action"] = "Block",
            ["title"] = "t",
            ["description"] = "d",
        };
        body[field] = (field == "indicatorValue" ? "https://long.contoso-evil.example/" : "") + new string('x', maximum + 1);

        var response = await factory.CreateClient("dev-admin").PostJsonAsync("/api/indicators", JsonSerializer.Serialize(body));

        await Envelope.AssertAsync(response, HttpStatusCode.BadRequest, "InvalidInput",
            $"Invalid input {field}: longer than {maximum.ToString(CultureInfo.InvariantCulture)} characters.");
    }

    [Fact]
    public async Task SubmitIndicator_ReturnsInvalidInput_WhenRbacGroupNamesHasTooManyNames()
    {
        await using var factory = Factory();
        var groups = string.Join(",", Enumerable.Range(0, FieldLimits.RbacGroupNames + 1).Select(i => $"\"g{i}\""));

        var response = await factory.CreateClient("dev-admin").PostJsonAsync("/api/indicators",
            $$"""{"indicatorValue":"groups.contoso-evil.example","indicatorType":"DomainName","action":"Block","title":"t","description":"d","rbacGroupNames":[{{groups}}]}""");

        await Envelope.AssertAsync(response, HttpStatusCode.BadRequest, "InvalidInput", "Invalid input rbacGroupNames: more than 20 items.");
    }

    [Fact]
    public async Task SubmitIndicator_ReturnsDisallowedOperation_WhenTheTenantHas15000ActiveIndicators()
    {
        await using var factory = Factory();
        await FillAsync(factory, FieldLimits.ActiveIndicators - 1, expired: 50);
        var admin = factory.CreateClient("dev-admin");

        var last = await admin.PostJsonAsync("/api/indicators", DatabaseTests.Indicator("last.contoso-evil.example"));
        var over = await admin.PostJsonAsync("/api/indicators", DatabaseTests.Indicator("over.contoso-evil.example"));
        var update = await admin.PostJsonAsync("/api/indicators", DatabaseTests.Indicator("last.contoso-evil.example"));
        var import = await admin.PostJsonAsync("/api/indicators/import",
            "{\"Indicators\":[" + DatabaseTests.Indicator("over2.contoso-evil.example") + "]}");

        Assert.Equal(HttpStatusCode.OK, last.StatusCode);
        await Envelope.AssertAsync(over, HttpStatusCode.Forbidden, "DisallowedOperation",
            "Creating the indicator would exceed the limit of 15000 active indicators per tenant.");
        Assert.Equal(HttpStatusCode.OK, update.StatusCode);
        Assert.Equal(
            """{"value":[{"id":null,"indicator":"over2.contoso-evil.example","isFailed":true,"failureReason":"Creating the indicator would exceed the limit of 15000 active indicators per tenant."}]}""",
            await import.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task ListIndicators_ShowsOnlyTheCallersOwn_WhenTheTokenHasTiReadWriteAlone()
    {
        await using var factory = Factory(new Dictionary<string, string>
        {
            ["SampleApi:Tokens:dev-ti:Name"] = "ti-app@contoso.example",
            ["SampleApi:Tokens:dev-ti:Tenant"] = "contoso",
            ["SampleApi:Tokens:dev-ti:Permissions:0"] = "Ti.ReadWrite",
        });
        var own = factory.CreateClient("dev-ti");
        Assert.Equal(HttpStatusCode.OK, (await own.PostJsonAsync("/api/indicators", DatabaseTests.Indicator("mine.contoso-evil.example"))).StatusCode);

        using var mine = JsonDocument.Parse(await own.GetStringAsync("/api/indicators"));
        using var all = JsonDocument.Parse(await factory.CreateClient("dev-admin").GetStringAsync("/api/indicators?$count=true"));
        var deleteSeeded = await own.DeleteAsync("/api/indicators/1");

        Assert.Equal(["mine.contoso-evil.example"], mine.RootElement.GetProperty("value").EnumerateArray().Select(i => i.GetProperty("indicatorValue").GetString()));
        Assert.Equal(6, all.RootElement.GetProperty("@odata.count").GetInt32());
        await Envelope.AssertAsync(deleteSeeded, HttpStatusCode.NotFound, "ResourceNotFound", "Indicator 1 was not found");
    }

    [Fact]
    public async Task ListIndicators_LeavesOutExpiredIndicators()
    {
        await using var factory = Factory();
        var admin = factory.CreateClient("dev-admin");
        var expiring = DatabaseTests.Indicator("expiring.contoso-evil.example").Replace("}", ""","expirationTime":"2026-03-02T09:00:00Z"}""", StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await admin.PostJsonAsync("/api/indicators", expiring)).StatusCode);

        using var before = JsonDocument.Parse(await admin.GetStringAsync("/api/indicators?$count=true&$top=0"));
        factory.Time.Advance(TimeSpan.FromHours(2));
        using var after = JsonDocument.Parse(await admin.GetStringAsync("/api/indicators?$count=true&$top=0"));

        Assert.Equal(6, before.RootElement.GetProperty("@odata.count").GetInt32());
        Assert.Equal(5, after.RootElement.GetProperty("@odata.count").GetInt32());
    }

    private static FakeTimeSampleApiFactory Factory(Dictionary<string, string>? extra = null)
    {
        var settings = new Dictionary<string, string> { ["SampleApi:RateLimits:Enabled"] = "false" };
        foreach (var (key, value) in extra ?? [])
        {
            settings[key] = value;
        }

        return new FakeTimeSampleApiFactory(settings);
    }

    /// <summary>Stores indicators straight in the database until the tenant has <paramref name="active"/> active ones, plus expired ones.</summary>
    internal static async Task FillAsync(FakeTimeSampleApiFactory factory, int active, int expired)
    {
        factory.CreateClient();
        using var scope = factory.Services.CreateScope();
        scope.ServiceProvider.GetRequiredService<SampleTenant>().Id = SeedData.Tenant;
        var db = scope.ServiceProvider.GetRequiredService<SampleDbContext>();
        var now = factory.Time.GetUtcNow().UtcDateTime;
        var existing = db.Indicators.Count();
        for (var n = existing + 1; n <= active + expired; n++)
        {
            db.Indicators.Add(new Indicator
            {
                IndicatorValue = $"fill-{n}.contoso-evil.example",
                IndicatorType = "DomainName",
                Action = "Audit",
                Title = "t",
                Description = "d",
                Severity = "Low",
                CreatedBy = "fill",
                CreationTimeDateTimeUtc = now,
                ExpirationTime = n > active ? now.AddDays(-1) : null,
            });
        }

        await db.SaveChangesAsync();
    }
}
