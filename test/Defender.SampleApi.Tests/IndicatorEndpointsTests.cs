using System.Net;
using System.Text;
using System.Text.Json;
using Defender.SampleApi.Tests.Infrastructure;

namespace Defender.SampleApi.Tests;

public sealed class IndicatorEndpointsTests(SampleApiFactory factory) : IClassFixture<SampleApiFactory>
{
    private readonly HttpClient _admin = factory.CreateClient("dev-admin");

    private static string Indicator(string value, string type, string action = "Block") =>
        $$"""{"indicatorValue":{{JsonSerializer.Serialize(value)}},"indicatorType":"{{type}}","action":"{{action}}","title":"t","description":"d"}""";

    [Fact]
    public async Task ListIndicators_ReturnsTheSeededIndicators_WhenTheTokenMayRead()
    {
        var response = await factory.CreateClient("dev-reader").GetAsync("/api/indicators");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var types = document.RootElement.GetProperty("value").EnumerateArray().Select(i => i.GetProperty("indicatorType").GetString()).ToList();
        Assert.Contains("FileSha256", types);
        Assert.Contains("DomainName", types);
        Assert.Contains("IpAddress", types);
        Assert.Contains("Url", types);
    }

    [Theory]
    [InlineData("da39a3ee5e6b4b0d3255bfef95601890afd80709", "FileSha1")]
    [InlineData("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", "FileSha256")]
    [InlineData("d41d8cd98f00b204e9800998ecf8427e", "FileMd5")]
    [InlineData("198.51.100.7", "IpAddress")]
    [InlineData("2001:db8::7", "IpAddress")]
    [InlineData("bad.contoso-evil.example", "DomainName")]
    [InlineData("bücher.example", "DomainName")]
    [InlineData("https://contoso-evil.example/payload?x=1", "Url")]
    public async Task SubmitIndicator_Returns200WithTheIndicator_WhenTheValueFitsItsType(string value, string type)
    {
        var response = await _admin.PostJsonAsync("/api/indicators", Indicator(value, type));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(value, document.RootElement.GetProperty("indicatorValue").GetString());
        Assert.Equal(type, document.RootElement.GetProperty("indicatorType").GetString());
        Assert.Equal("admin@contoso.example", document.RootElement.GetProperty("createdBy").GetString());
    }

    [Theory]
    [InlineData("xyz", "FileSha1", "InvalidHashValue", "Hash value xyz is invalid.")]
    [InlineData("da39a3ee5e6b4b0d3255bfef95601890afd8070g", "FileSha1", "InvalidHashValue", "Hash value da39a3ee5e6b4b0d3255bfef95601890afd8070g is invalid.")]
    [InlineData("d41d8cd98f00b204e9800998ecf8427e", "FileSha256", "InvalidHashValue", "Hash value d41d8cd98f00b204e9800998ecf8427e is invalid.")]
    [InlineData("abc", "FileMd5", "InvalidHashValue", "Hash value abc is invalid.")]
    [InlineData("10.0.0.256", "IpAddress", "InvalidIpAddress", "IP address 10.0.0.256 is invalid.")]
    [InlineData("10.1", "IpAddress", "InvalidIpAddress", "IP address 10.1 is invalid.")]
    [InlineData("bad..example", "DomainName", "InvalidDomainName", "Domain name bad..example is invalid.")]
    [InlineData("under_score.example", "DomainName", "InvalidDomainName", "Domain name under_score.example is invalid.")]
    [InlineData("htp:/example", "Url", "InvalidUrl", "URL htp:/example is invalid.")]
    [InlineData("ftp://files.example/x", "Url", "InvalidUrl", "URL ftp://files.example/x is invalid.")]
    public async Task SubmitIndicator_ReturnsTheTypesCode_WhenTheValueDoesNotFitItsType(string value, string type, string code, string message)
    {
        var response = await _admin.PostJsonAsync("/api/indicators", Indicator(value, type));

        await Envelope.AssertAsync(response, HttpStatusCode.BadRequest, code, message);
    }

    [Fact]
    public async Task SubmitIndicator_EscapesTheEchoedValue_WhenItHoldsControlCharacters()
    {
        var response = await _admin.PostJsonAsync("/api/indicators", Indicator("evil\r\nInjected: yes", "DomainName"));

        // The CR/LF reach the message as the visible two-character escapes, so they cannot break a log line or a header.
        await Envelope.AssertAsync(response, HttpStatusCode.BadRequest, "InvalidDomainName", "Domain name evil\\r\\nInjected: yes is invalid.");
    }

    [Theory]
    [InlineData("""{"indicatorType":"FileSha1","action":"Block","title":"t","description":"d"}""", "Parameter indicatorValue is missing.")]
    [InlineData("""{"IndicatorValue":"x","indicatorType":"FileSha1","action":"Block","title":"t","description":"d"}""", "Parameter indicatorValue is missing.")]
    [InlineData("""{"indicatorValue":"x","action":"Block","title":"t","description":"d"}""", "Parameter indicatorType is missing.")]
    [InlineData("""{"indicatorValue":"x","indicatorType":"FileSha1","title":"t","description":"d"}""", "Parameter action is missing.")]
    [InlineData("""{"indicatorValue":"x","indicatorType":"FileSha1","action":"Block","description":"d"}""", "Parameter title is missing.")]
    [InlineData("""{"indicatorValue":"x","indicatorType":"FileSha1","action":"Block","title":"t"}""", "Parameter description is missing.")]
    public async Task SubmitIndicator_ReturnsMissingRequiredParameter_WhenAMemberIsMissingOrWrongCase(string body, string message)
    {
        var response = await _admin.PostJsonAsync("/api/indicators", body);

        await Envelope.AssertAsync(response, HttpStatusCode.BadRequest, "MissingRequiredParameter", message);
    }

    [Theory]
    [InlineData("""{"indicatorValue":"x","indicatorType":"Registry","action":"Block","title":"t","description":"d"}""", "Invalid input Registry.")]
    [InlineData("""{"indicatorValue":"x","indicatorType":"FileSha1","action":"Nuke","title":"t","description":"d"}""", "Invalid input Nuke.")]
    [InlineData("""{"indicatorValue":"x","indicatorType":"FileSha1","action":"Block","title":"t","description":"d","severity":"Critical"}""", "Invalid input Critical.")]
    public async Task SubmitIndicator_ReturnsInvalidInput_WhenAnEnumerationIsUnknown(string body, string message)
    {
        var response = await _admin.PostJsonAsync("/api/indicators", body);

        await Envelope.AssertAsync(response, HttpStatusCode.BadRequest, "InvalidInput", message);
    }

    [Fact]
    public async Task SubmitIndicator_ReturnsForbidden_WhenTheTokenMayOnlyRead()
    {
        var response = await factory.CreateClient("dev-reader").PostJsonAsync("/api/indicators", Indicator("198.51.100.9", "IpAddress"));

        await Envelope.AssertAsync(response, HttpStatusCode.Forbidden, "Forbidden", "Forbidden");
    }

    [Fact]
    public async Task DeleteIndicator_Returns204ThenResourceNotFound_WhenDeletedTwice()
    {
        var created = await _admin.PostJsonAsync("/api/indicators", Indicator("198.51.100.200", "IpAddress"));
        var id = JsonDocument.Parse(await created.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString();

        var first = await _admin.DeleteAsync($"/api/indicators/{id}");
        var second = await _admin.DeleteAsync($"/api/indicators/{id}");

        Assert.Equal(HttpStatusCode.NoContent, first.StatusCode);
        await Envelope.AssertAsync(second, HttpStatusCode.NotFound, "ResourceNotFound", $"Indicator {id} was not found");
    }

    [Fact]
    public async Task DeleteIndicator_ReturnsResourceNotFound_WhenTheIdIsNotANumber()
    {
        var response = await _admin.DeleteAsync("/api/indicators/abc");

        await Envelope.AssertAsync(response, HttpStatusCode.NotFound, "ResourceNotFound", "Indicator abc was not found");
    }

    [Fact]
    public async Task ImportIndicators_ReturnsOneResultPerItem_WhenSomeItemsAreInvalid()
    {
        var body = $$"""{"Indicators":[{{Indicator("198.51.100.77", "IpAddress")}},{{Indicator("nope", "FileSha256")}},null,{{Indicator("import.contoso-evil.example", "DomainName")}}]}""";

        var response = await _admin.PostJsonAsync("/api/indicators/import", body);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var results = document.RootElement.GetProperty("value").EnumerateArray().ToList();
        Assert.Equal(4, results.Count);
        Assert.False(results[0].GetProperty("isFailed").GetBoolean());
        Assert.True(long.TryParse(results[0].GetProperty("id").GetString(), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out _));
        Assert.Equal(
            """{"id":null,"indicator":"nope","isFailed":true,"failureReason":"Hash value nope is invalid."}""",
            results[1].GetRawText());
        Assert.Equal(
            """{"id":null,"indicator":"","isFailed":true,"failureReason":"Request body is incorrect: the item is null."}""",
            results[2].GetRawText());
        Assert.False(results[3].GetProperty("isFailed").GetBoolean());

        var list = await _admin.GetStringAsync("/api/indicators");
        Assert.Contains("198.51.100.77", list, StringComparison.Ordinal);
        Assert.Contains("import.contoso-evil.example", list, StringComparison.Ordinal);
        Assert.DoesNotContain("\"nope\"", list, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ImportIndicators_AcceptsTheMaximumBatch_WhenItHolds500Items()
    {
        var response = await _admin.PostJsonAsync("/api/indicators/import", Batch(500));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(500, document.RootElement.GetProperty("value").GetArrayLength());
        Assert.All(document.RootElement.GetProperty("value").EnumerateArray(), r => Assert.False(r.GetProperty("isFailed").GetBoolean()));
    }

    [Fact]
    public async Task ImportIndicators_ReturnsMaximumBatchSizeExceeded_WhenTheBatchHas501Items()
    {
        var response = await _admin.PostJsonAsync("/api/indicators/import", Batch(501));

        await Envelope.AssertAsync(response, HttpStatusCode.BadRequest, "MaximumBatchSizeExceeded",
            "Maximum batch size exceeded. Received: 501, allowed: 500.");
    }

    [Fact]
    public async Task ImportIndicators_ReturnsMissingRequiredParameter_WhenIndicatorsHasTheWrongCase()
    {
        var response = await _admin.PostJsonAsync("/api/indicators/import", """{"indicators":[]}""");

        await Envelope.AssertAsync(response, HttpStatusCode.BadRequest, "MissingRequiredParameter",
            "Parameter Indicators is missing. Found 'indicators': body parameters are case-sensitive.");
    }

    private static string Batch(int count)
    {
        var builder = new StringBuilder("""{"Indicators":[""");
        for (var i = 0; i < count; i++)
        {
            builder.Append(i == 0 ? "" : ",").Append(Indicator($"batch-{count}-{i}.contoso-evil.example", "DomainName", "Audit"));
        }

        return builder.Append("]}").ToString();
    }
}
