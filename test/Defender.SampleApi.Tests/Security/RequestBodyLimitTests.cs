using System.Net;
using System.Text;
using Defender.SampleApi.Endpoints;
using Defender.SampleApi.Tests.Infrastructure;
using Defender.SampleApi.Tests.Reliability;

namespace Defender.SampleApi.Tests.Security;

/// <summary>
/// Finding: bodies up to Kestrel's 30 MB default were read and held at about 3.3 times their size (8 concurrent 29 MB bodies took
/// the server from 482 MB to 1,244 MB). The API now takes bodies up to the largest legitimate one (an import of 500 indicators at
/// every field's maximum, <see cref="FieldLimits.RequestBody"/>) and answers a larger one 413 InvalidRequestBody, whether it
/// declares its length or is chunked. On Kestrel, which enforces the limit.
/// </summary>
[Collection(ReliabilityGroup.Name)]
public sealed class RequestBodyLimitTests
{
    [Fact]
    public void Limit_IsTheLargestLegitimateImport()
    {
        Assert.Equal(3_871_024, FieldLimits.RequestBody);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task BodyOverTheLimit_Answers413InvalidRequestBody(bool chunked)
    {
        await using var host = new ReliabilityHost(kestrel: true).Start();
        using var client = host.Client();
        var body = "{\"Indicators\":[" + string.Join(",", Enumerable.Repeat("null", (int)(FieldLimits.RequestBody / 5) + 10)) + "]}";
        HttpContent content = chunked
            ? new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes(body)))
            : new StringContent(body, Encoding.UTF8);
        content.Headers.ContentType = new("application/json");
        if (chunked)
        {
            content.Headers.ContentLength = null;
        }

        var request = new HttpRequestMessage(HttpMethod.Post, "/api/indicators/import") { Content = content };
        request.Headers.TransferEncodingChunked = chunked;
        var response = await client.SendAsync(request);

        await Envelope.AssertAsync(response, HttpStatusCode.RequestEntityTooLarge, "InvalidRequestBody", "The request body is too large.");
    }

    [Fact]
    public async Task LargestLegitimateImport_IsAccepted()
    {
        await using var host = new ReliabilityHost(kestrel: true).Start();
        using var client = host.Client();
        string Text(char c, int n) => new(c, n);
        var groups = "[" + string.Join(",", Enumerable.Range(0, FieldLimits.RbacGroupNames).Select(_ => "\"" + Text('g', FieldLimits.RbacGroupName) + "\"")) + "]";
        var items = Enumerable.Range(0, IndicatorRules.MaximumImportBatchSize).Select(i =>
            $$"""{"indicatorValue":"https://{{i:D4}}.example/{{Text('p', FieldLimits.IndicatorValue - 26)}}","indicatorType":"Url","action":"AlertAndBlock","title":"{{Text('t', FieldLimits.Title)}}","description":"{{Text('d', FieldLimits.Description)}}","recommendedActions":"{{Text('r', FieldLimits.RecommendedActions)}}","application":"{{Text('a', FieldLimits.Application)}}","severity":"Informational","expirationTime":"2030-12-12T00:00:00Z","generateAlert":true,"rbacGroupNames":{{groups}}}""");
        var body = "{\"Indicators\":[" + string.Join(",", items) + "]}";
        Assert.InRange(Encoding.UTF8.GetByteCount(body), 3_500_000, FieldLimits.RequestBody);

        var response = await client.PostAsync("/api/indicators/import", new StringContent(body, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.DoesNotContain("\"isFailed\":true", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
