using System.Net;
using System.Text.Json;
using Defender.SampleApi.Data;
using Defender.SampleApi.Tests.Infrastructure;
using Microsoft.Extensions.Options;

namespace Defender.SampleApi.Tests.Security;

/// <summary>
/// Finding: the bearer token was the caller's name, stored and returned in <c>requestor</c>, <c>requestSource</c>,
/// <c>cancellationRequestor</c>, <c>createdBy</c> and <c>lastUpdatedBy</c>, so a read-only caller collected write tokens.
/// Each token now stands for a configured identity whose name is recorded instead.
/// </summary>
public sealed class TokenIdentityTests(SampleApiFactory factory) : IClassFixture<SampleApiFactory>
{
    private static readonly string[] Tokens = ["dev-admin", "dev-reader", "dev-nolive"];

    [Fact]
    public async Task EveryRecordedCaller_IsTheIdentitysName_AndNoResponseCarriesAToken()
    {
        var admin = factory.CreateClient("dev-admin");
        var isolate = await admin.PostJsonAsync($"/api/machines/{SeedData.LabWindowsId}/isolate", """{"Comment":"Contain"}""");
        Assert.Equal(HttpStatusCode.Created, isolate.StatusCode);
        var actionId = JsonDocument.Parse(await isolate.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString();
        var cancel = await admin.PostJsonAsync($"/api/machineactions/{actionId}/cancel", """{"Comment":"undo"}""");
        var submit = await admin.PostJsonAsync("/api/indicators",
            """{"indicatorValue":"identity.contoso-evil.example","indicatorType":"DomainName","action":"Block","title":"t","description":"d"}""");
        var import = await admin.PostJsonAsync("/api/indicators/import",
            """{"Indicators":[{"indicatorValue":"198.51.100.77","indicatorType":"IpAddress","action":"Audit","title":"t","description":"d"}]}""");

        // What a read-only caller can collect.
        var reader = factory.CreateClient("dev-reader");
        var indicators = await reader.GetAsync("/api/indicators?$select=id,source,createdBySource,createdBy,lastUpdatedBy");
        var actions = await reader.GetAsync("/api/machineactions?$select=id,requestor,requestSource,cancellationRequestor");

        HttpResponseMessage[] responses = [isolate, cancel, submit, import, indicators, actions];
        foreach (var response in responses)
        {
            Assert.True(response.IsSuccessStatusCode, $"{response.RequestMessage!.RequestUri}: {response.StatusCode}");
            var body = await response.Content.ReadAsStringAsync();
            Assert.All(Tokens, token => Assert.DoesNotContain(token, body, StringComparison.Ordinal));
        }

        var action = JsonDocument.Parse(await cancel.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(("admin@contoso.example", "admin@contoso.example", "admin@contoso.example"),
            (action.GetProperty("requestor").GetString(), action.GetProperty("requestSource").GetString(), action.GetProperty("cancellationRequestor").GetString()));
        var indicator = JsonDocument.Parse(await submit.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(("admin@contoso.example", "admin@contoso.example", "admin@contoso.example", "admin@contoso.example"),
            (indicator.GetProperty("source").GetString(), indicator.GetProperty("createdBySource").GetString(),
                indicator.GetProperty("createdBy").GetString(), indicator.GetProperty("lastUpdatedBy").GetString()));
    }

    [Fact]
    public async Task AnIdentitysName_IsNotAToken()
    {
        var response = await factory.CreateClient("admin@contoso.example").PostJsonAsync("/api/indicators",
            """{"indicatorValue":"name.contoso-evil.example","indicatorType":"DomainName","action":"Block","title":"t","description":"d"}""");

        await Envelope.AssertAsync(response, HttpStatusCode.Unauthorized, "Unauthorized", "Unauthorized");
    }

    [Theory]
    [InlineData(null, "SampleApi:Tokens: token #4 needs a Name (the identity actions and indicators record), other than the token itself.")]
    [InlineData("extra-token", "SampleApi:Tokens: token #4 needs a Name (the identity actions and indicators record), other than the token itself.")]
    public async Task Start_FailsAndSaysWhy_WhenATokenHasNoNameOfItsOwn(string? name, string message)
    {
        var settings = new Dictionary<string, string>
        {
            ["SampleApi:Tokens:extra-token:Tenant"] = "contoso",
            ["SampleApi:Tokens:extra-token:Permissions:0"] = "Machine.Read.All",
        };
        if (name is not null)
        {
            settings["SampleApi:Tokens:extra-token:Name"] = name;
        }

        await using var sample = new FakeTimeSampleApiFactory(settings);

        var failure = Assert.Throws<OptionsValidationException>(() => sample.CreateClient());
        Assert.Equal(message, Assert.Single(failure.Failures));
        Assert.DoesNotContain("extra-token", failure.Message, StringComparison.Ordinal);
        await Task.CompletedTask;
    }
}
