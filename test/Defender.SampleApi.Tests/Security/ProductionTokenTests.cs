using System.Net;
using Defender.SampleApi.Data;
using Defender.SampleApi.Tests.Infrastructure;
using Defender.SampleApi.Tests.Reliability;
using Microsoft.Extensions.Options;

namespace Defender.SampleApi.Tests.Security;

/// <summary>
/// Finding: with <c>ASPNETCORE_ENVIRONMENT=Production</c> the sample accepted <c>dev-admin</c>, and <c>/openapi/v1.json</c> listed
/// the development tokens. They are now in appsettings.Development.json only; outside Development the sample refuses to start
/// without configured tokens (or with a short one), and the documents name no token.
/// </summary>
public sealed class ProductionTokenTests
{
    /// <summary>A token as an operator would configure one: long and random.</summary>
    public const string Token = "prod-4f1c9e27b8d34a6c9e0f2b7d5a8c3e61";

    public static Dictionary<string, string> Configured => new()
    {
        [$"SampleApi:Tokens:{Token}:Name"] = "soar@contoso.example",
        [$"SampleApi:Tokens:{Token}:Tenant"] = "contoso",
        [$"SampleApi:Tokens:{Token}:Permissions:0"] = "Machine.Read.All",
    };

    private static readonly string[] DevelopmentTokens = ["dev-admin", "dev-reader", "dev-nolive"];

    [Fact]
    public async Task Production_WithoutConfiguredTokens_DoesNotStart()
    {
        await using var host = new ReliabilityHost(environment: "Production");

        var failure = Assert.Throws<OptionsValidationException>(() => host.Start());

        Assert.Equal("SampleApi:Tokens is empty: outside Development the sample needs its tokens configured (the development tokens only work in Development); see docs/sample.md.",
            Assert.Single(failure.Failures));
    }

    [Fact]
    public async Task Production_WithADevelopmentTokenConfigured_DoesNotStart()
    {
        await using var host = new ReliabilityHost(environment: "Production", settings: new Dictionary<string, string>
        {
            ["SampleApi:Tokens:dev-admin:Name"] = "admin@contoso.example",
            ["SampleApi:Tokens:dev-admin:Tenant"] = "contoso",
        });

        var failure = Assert.Throws<OptionsValidationException>(() => host.Start());

        Assert.Equal("SampleApi:Tokens: token #1 (admin@contoso.example) is shorter than 32 characters: outside Development the development tokens and other guessable ones are refused.",
            Assert.Single(failure.Failures));
    }

    [Fact]
    public async Task Production_AcceptsOnlyTheConfiguredTokens_AndItsDocumentsNameNone()
    {
        await using var host = new ReliabilityHost(environment: "Production", settings: Configured).Start();

        foreach (var token in DevelopmentTokens)
        {
            using var development = host.Client(token);
            await Envelope.AssertAsync(await development.GetAsync($"/api/machines/{SeedData.MacId}"), HttpStatusCode.Unauthorized, "Unauthorized", "Unauthorized");
        }

        using var configured = host.Client(Token);
        Assert.Equal(HttpStatusCode.OK, (await configured.GetAsync($"/api/machines/{SeedData.MacId}")).StatusCode);
        foreach (var document in new[] { "/openapi/v1.json", "/swagger/v1/swagger.json" })
        {
            var json = await configured.GetStringAsync(document);
            Assert.All(DevelopmentTokens, token => Assert.DoesNotContain(token, json, StringComparison.Ordinal));
            Assert.DoesNotContain(Token, json, StringComparison.Ordinal);
            Assert.Contains("A token from configuration (SampleApi:Tokens).", json, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Development_KeepsTheDevelopmentTokens()
    {
        await using var host = new ReliabilityHost(environment: "Development").Start();
        using var admin = host.Client("dev-admin");

        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync($"/api/machines/{SeedData.MacId}")).StatusCode);
        Assert.Contains("dev-reader (read only)", await admin.GetStringAsync("/openapi/v1.json"), StringComparison.Ordinal);
    }
}
