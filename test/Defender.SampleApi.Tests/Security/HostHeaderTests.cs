using System.Net;
using System.Text.Json;
using Defender.SampleApi.Data;
using Defender.SampleApi.Tests.Infrastructure;
using Defender.SampleApi.Tests.Reliability;

namespace Defender.SampleApi.Tests.Security;

/// <summary>
/// Finding: with <c>AllowedHosts: *</c> the <c>Host</c> header was echoed into every link — <c>Host: evil.example</c> gave a
/// live response download link, <c>@odata.nextLink</c>, <c>@odata.context</c> and OpenAPI <c>servers</c> on evil.example. Now a
/// host outside <c>AllowedHosts</c> is refused with the envelope, and with <c>SampleApi:PublicBaseUrl</c> every link starts with
/// it whatever the header says. On Kestrel, where the Host header is what the client sent.
/// </summary>
public sealed class HostHeaderTests
{
    private const string PublicBase = "https://defender.contoso.example/sample";

    [Theory]
    [InlineData("/api/machines")]
    [InlineData("/api/indicators")]
    [InlineData("/openapi/v1.json")]
    [InlineData("/swagger/v1/swagger.json")]
    public async Task HostOutsideAllowedHosts_IsRefusedWithTheEnvelope(string path)
    {
        await using var host = new ReliabilityHost(kestrel: true).Start();
        using var client = host.Client();

        var evil = await client.SendAsync(new HttpRequestMessage(HttpMethod.Get, path) { Headers = { Host = "evil.example" } });
        var loopback = await client.SendAsync(new HttpRequestMessage(HttpMethod.Get, path));

        await Envelope.AssertAsync(evil, HttpStatusCode.BadRequest, "BadRequest", "General Bad Request error message.");
        Assert.Equal(HttpStatusCode.OK, loopback.StatusCode);
    }

    [Fact]
    public async Task EveryLink_StartsWithThePublicBaseUrl_WhateverTheHostHeaderSays()
    {
        await using var host = new ReliabilityHost(kestrel: true, settings: new Dictionary<string, string>
        {
            ["AllowedHosts"] = "*",
            ["SampleApi:PublicBaseUrl"] = PublicBase,
            ["SampleApi:Paging:PageSize"] = "2",
            ["SampleApi:Actions:CompletionSeconds"] = "0",
        }).Start();
        using var client = host.Client();
        async Task<string> GetAsync(string path)
        {
            var response = await client.SendAsync(new HttpRequestMessage(HttpMethod.Get, path) { Headers = { Host = "evil.example" } });
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            return await response.Content.ReadAsStringAsync();
        }

        var start = await client.SendAsync(new HttpRequestMessage(HttpMethod.Post, $"/api/machines/{SeedData.LiveResponseWindowsId}/runliveresponse")
        {
            Headers = { Host = "evil.example" },
            Content = new StringContent("""{"Commands":[{"type":"GetFile","params":[{"key":"Path","value":"C:\\x.txt"}]}],"Comment":"x"}""",
                System.Text.Encoding.UTF8, "application/json"),
        });
        Assert.Equal(HttpStatusCode.Created, start.StatusCode);
        var startBody = await start.Content.ReadAsStringAsync();
        var id = JsonDocument.Parse(startBody).RootElement.GetProperty("id").GetString();

        using var page = JsonDocument.Parse(await GetAsync("/api/machines"));
        using var link = JsonDocument.Parse(await GetAsync($"/api/machineactions/{id}/GetLiveResponseResultDownloadLink(index=0)"));
        using var openApi = JsonDocument.Parse(await GetAsync("/openapi/v1.json"));
        using var swagger = JsonDocument.Parse(await GetAsync("/swagger/v1/swagger.json"));

        Assert.StartsWith(PublicBase + "/api/$metadata#MachineActions/$entity", JsonDocument.Parse(startBody).RootElement.GetProperty("@odata.context").GetString(), StringComparison.Ordinal);
        Assert.Equal(PublicBase + "/api/$metadata#Machines", page.RootElement.GetProperty("@odata.context").GetString());
        Assert.StartsWith(PublicBase + "/api/machines?", page.RootElement.GetProperty("@odata.nextLink").GetString(), StringComparison.Ordinal);
        Assert.StartsWith($"{PublicBase}/api/liveresponseresults/{id}/0?se=", link.RootElement.GetProperty("value").GetString(), StringComparison.Ordinal);
        Assert.Equal(PublicBase, openApi.RootElement.GetProperty("servers")[0].GetProperty("url").GetString());
        Assert.Equal(PublicBase, swagger.RootElement.GetProperty("servers")[0].GetProperty("url").GetString());
        Assert.Equal($"/api/machineactions/{id}", start.Headers.Location?.OriginalString);
    }
}
