using System.Net;
using System.Text.Json;
using Defender.SampleApi.Tests.Infrastructure;

namespace Defender.SampleApi.Tests.Security;

/// <summary>
/// Finding: a Ti.ReadWrite-only token got 404 deleting indicator 3 but overwrote it (Block → Allowed) by posting its value, and
/// the response returned the hidden record. Now submit and import only update indicators the caller can see; a hidden one
/// answers as a missing one: the caller gets a new indicator of its own.
/// </summary>
public sealed class IndicatorVisibilityTests(IndicatorVisibilityTests.Factory factory) : IClassFixture<IndicatorVisibilityTests.Factory>
{
    private readonly HttpClient _app = factory.CreateClient("dev-ti");
    private readonly HttpClient _admin = factory.CreateClient("dev-admin");

    public sealed class Factory() : FakeTimeSampleApiFactory(new Dictionary<string, string>
    {
        ["SampleApi:RateLimits:Enabled"] = "false",
        ["SampleApi:Tokens:dev-ti:Name"] = "ti-app@contoso.example",
        ["SampleApi:Tokens:dev-ti:Tenant"] = "contoso",
        ["SampleApi:Tokens:dev-ti:Permissions:0"] = "Ti.ReadWrite",
    });

    [Fact]
    public async Task Submit_OfAHiddenIndicatorsValue_CreatesTheCallersOwn_AndLeavesTheHiddenOneAlone()
    {
        const string Allow = """{"indicatorValue":"malware.contoso-bad.example","indicatorType":"DomainName","action":"Allowed","title":"mine","description":"d"}""";

        var first = await _app.PostJsonAsync("/api/indicators", Allow);
        var again = await _app.PostJsonAsync("/api/indicators", Allow.Replace("Allowed", "Audit", StringComparison.Ordinal));

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        var body = await first.Content.ReadAsStringAsync();
        Assert.DoesNotContain("Known C2 domain", body, StringComparison.Ordinal);
        using var mine = JsonDocument.Parse(body);
        var id = mine.RootElement.GetProperty("id").GetString();
        Assert.NotEqual("3", id);
        Assert.Equal(("Allowed", "ti-app@contoso.example"), (mine.RootElement.GetProperty("action").GetString(), mine.RootElement.GetProperty("createdBy").GetString()));
        // Submitting it again updates the caller's own indicator.
        using var updated = JsonDocument.Parse(await again.Content.ReadAsStringAsync());
        Assert.Equal((id, "Audit"), (updated.RootElement.GetProperty("id").GetString(), updated.RootElement.GetProperty("action").GetString()));

        Assert.Equal(("Block", "Known C2 domain"), await ActionAndTitleAsync("3"));
    }

    [Fact]
    public async Task Import_OfAHiddenIndicatorsValue_CreatesTheCallersOwn_AndLeavesTheHiddenOneAlone()
    {
        var response = await _app.PostJsonAsync("/api/indicators/import",
            """{"Indicators":[{"indicatorValue":"203.0.113.66","indicatorType":"IpAddress","action":"Allowed","title":"mine","description":"d"}]}""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var result = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var line = Assert.Single(result.RootElement.GetProperty("value").EnumerateArray());
        Assert.False(line.GetProperty("isFailed").GetBoolean());
        Assert.NotEqual("4", line.GetProperty("id").GetString());
        Assert.Equal(("Audit", "Scanner"), await ActionAndTitleAsync("4"));
    }

    [Fact]
    public async Task Delete_OfAHiddenIndicator_AnswersAsAMissingOne()
    {
        await Envelope.AssertAsync(await _app.DeleteAsync("/api/indicators/5"), HttpStatusCode.NotFound, "ResourceNotFound", "Indicator 5 was not found");
        await Envelope.AssertAsync(await _app.DeleteAsync("/api/indicators/999999"), HttpStatusCode.NotFound, "ResourceNotFound", "Indicator 999999 was not found");
        Assert.Equal(("Warn", "Phishing page"), await ActionAndTitleAsync("5"));
    }

    private async Task<(string?, string?)> ActionAndTitleAsync(string id)
    {
        using var list = JsonDocument.Parse(await _admin.GetStringAsync($"/api/indicators?$filter=id eq '{id}'"));
        var indicator = Assert.Single(list.RootElement.GetProperty("value").EnumerateArray());
        return (indicator.GetProperty("action").GetString(), indicator.GetProperty("title").GetString());
    }
}
