using System.Net;
using System.Text.Json;
using Defender.SampleApi.Data;
using Defender.SampleApi.Tests.Browser;
using Defender.SampleApi.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;

namespace Defender.SampleApi.Tests;

/// <summary>How the sample runs: on real Kestrel, telling where it listens, and on a database file that outlives it.</summary>
public sealed class HostingTests
{
    [Fact]
    public async Task Start_LogsWhereItListens_AndAnswersOverRealHttp()
    {
        await using var factory = new KestrelSampleApiFactory("http://127.0.0.1:5173");
        factory.StartServer();
        var address = factory.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();

        Assert.Matches("^http://127\\.0\\.0\\.1:[0-9]+$", address);
        Assert.Contains(factory.Logs.Entries, e => e.Category == "Defender.SampleApi"
            && e.Message.StartsWith($"Defender sample API listening on {address} — Swagger UI: {address}/swagger", StringComparison.Ordinal));

        using var client = new HttpClient { BaseAddress = new Uri(address) };
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", "dev-admin");
        var response = await client.GetAsync("/api/machines/123123123");
        await Envelope.AssertAsync(response, HttpStatusCode.NotFound, "ResourceNotFound", "Machine 123123123 was not found");
    }

    [Fact]
    public async Task Start_LogsNoUnvalidatedEndpointsWarning_BecauseTheFrameworkValidates()
    {
        // The sample calls AddValidation(): the import's [MaxBatchSize] is checked by the framework, so the core's startup
        // warning about validation attributes nothing checks (event DefenderUnvalidatedEndpoints) must not name any endpoint.
        await using var factory = new SampleApiFactory();
        using var client = factory.CreateClient("dev-admin");
        var response = await client.GetAsync("/api/machines/123123123");
        await Envelope.AssertAsync(response, HttpStatusCode.NotFound, "ResourceNotFound", "Machine 123123123 was not found");

        Assert.Contains(factory.Logs.Entries, static e => e.Category == "Microsoft.Hosting.Lifetime" && e.Message.StartsWith("Application started", StringComparison.Ordinal));
        Assert.DoesNotContain(factory.Logs.Entries, static e => e.EventId.Name == "DefenderUnvalidatedEndpoints"
            || e.Message.Contains("checked by nothing", StringComparison.Ordinal));
    }

    [Fact]
    public async Task DatabasePath_KeepsChanges_AcrossRestarts()
    {
        var path = Path.Combine(Path.GetTempPath(), $"defender-sample-{Guid.NewGuid():N}.db");
        try
        {
            await using (var first = new FileDatabaseFactory(path))
            {
                var created = await first.CreateClient("dev-admin").PostJsonAsync($"/api/machines/{SeedData.LinuxId}/isolate", """{"Comment":"persist"}""");
                Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            }

            Assert.True(File.Exists(path));
            await using var second = new FileDatabaseFactory(path);
            var client = second.CreateClient("dev-admin");
            using var machine = JsonDocument.Parse(await client.GetStringAsync($"/api/machines/{SeedData.LinuxId}"));
            Assert.Equal("Isolated", machine.RootElement.GetProperty("isolationState").GetString());
            using var all = JsonDocument.Parse(await client.GetStringAsync("/api/machines?$count=true&$top=0"));
            Assert.Equal(SeedData.Machines.Count, all.RootElement.GetProperty("@odata.count").GetInt32());

            var again = await client.PostJsonAsync($"/api/machines/{SeedData.LinuxId}/isolate", """{"Comment":"again"}""");
            await Envelope.AssertAsync(again, HttpStatusCode.BadRequest, "ActiveRequestAlreadyExists", "Action is already in progress");
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            File.Delete(path);
        }
    }

    private sealed class FileDatabaseFactory(string path) : SampleApiFactory
    {
        protected override IReadOnlyDictionary<string, string> Settings { get; } = new Dictionary<string, string>
        {
            ["SampleApi:DatabasePath"] = path,
        };
    }
}
