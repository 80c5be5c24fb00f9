using System.Net;
using Defender.SampleApi.Data;
using Defender.SampleApi.Tests.Infrastructure;
using Defender.SampleApi.Tests.Reliability;

namespace Defender.SampleApi.Tests.Security;

/// <summary>
/// Finding: a member sent twice was accepted, the last one winning (<c>{"Comment":"x","Comment":"y"}</c> stored "y"), so two
/// parsers in a chain (a gateway that checks the first, the API that keeps the last) could disagree. Now it is InvalidRequestBody.
/// </summary>
public sealed class DuplicateMemberTests(SampleApiFactory factory) : IClassFixture<SampleApiFactory>
{
    [Theory]
    [InlineData("/api/machines/{0}/isolate", """{"Comment":"x","Comment":"y"}""")]
    [InlineData("/api/indicators", """{"indicatorValue":"a.contoso-evil.example","indicatorType":"DomainName","action":"Block","action":"Allowed","title":"t","description":"d"}""")]
    [InlineData("/api/indicators/import", """{"Indicators":[{"indicatorValue":"b.contoso-evil.example","indicatorValue":"c.contoso-evil.example","indicatorType":"DomainName","action":"Block","title":"t","description":"d"}]}""")]
    public async Task DuplicateMember_IsInvalidRequestBody(string route, string body)
    {
        var admin = factory.CreateClient("dev-admin");

        var response = await admin.PostJsonAsync(string.Format(System.Globalization.CultureInfo.InvariantCulture, route, SeedData.LabWindowsId), body);

        Assert.Null(StrictEnvelope.Check(response, await response.Content.ReadAsByteArrayAsync(), out var error));
        Assert.Equal((HttpStatusCode.BadRequest, "InvalidRequestBody"), (response.StatusCode, error.Code));
        using var machine = System.Text.Json.JsonDocument.Parse(await admin.GetStringAsync($"/api/machines/{SeedData.LabWindowsId}"));
        Assert.Equal("NotIsolated", machine.RootElement.GetProperty("isolationState").GetString());
    }
}
