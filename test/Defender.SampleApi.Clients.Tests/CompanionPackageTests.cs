using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Defender.ErrorMiddleware;
using Defender.SampleApi.Clients.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Defender.SampleApi.Clients.Tests;

/// <summary>
/// The TypeScript companion package (src/defender-errors-js): its code table generated from the catalog, its Node tests
/// against the sample, and what npm pack ships.
/// </summary>
[Collection(SampleServersGroup.Name)]
public sealed class CompanionPackageTests(SampleServers servers, ITestOutputHelper output)
{
    private const string CodesFile = "src/defender-errors-js/src/codes.ts";

    [Fact]
    public async Task CodesFile_MatchesTheCatalog()
    {
        GoldenFiles.AssertMatches(CodesFile, await RenderCodesAsync());
    }

    [NodeFact]
    public async Task NodeTests_Pass_AgainstTheSample()
    {
        await CompanionPackage.EnsureBuiltAsync();
        var tests = Directory.GetFiles(Path.Combine(CompanionPackage.Folder, "test"), "*.test.js").Order(StringComparer.Ordinal).ToList();

        var run = await NodeTestRun.RunAsync(CompanionPackage.Folder, tests, servers, output);

        // Every test in the files ran (none skipped for want of the servers), and each error from the sample was logged once.
        Assert.True(run.Passed >= 20, run.Report);
        Assert.Equal(0, run.Skipped);
        Assert.True(run.Targets.Count >= 6, run.Report);
        servers.AssertLogged(run.Targets);
    }

    [NodeFact]
    public async Task NpmPack_ShipsTheModuleTypesAndReadmeOnly()
    {
        await CompanionPackage.EnsureBuiltAsync();
        using var temp = new TempDirectory();

        // The build ran above; --ignore-scripts keeps pack from rebuilding dist/ under a test that may be reading it.
        var result = await ProcessRunner.RunAsync(NodeTools.Npm!, ["pack", "--ignore-scripts", "--json", "--pack-destination", temp.Path],
            CompanionPackage.Folder, TimeSpan.FromMinutes(1));
        Assert.True(result.ExitCode == 0, result.Describe("npm pack"));

        var pack = JsonDocument.Parse(result.Output).RootElement[0];
        var files = pack.GetProperty("files").EnumerateArray().Select(f => f.GetProperty("path").GetString()).Order(StringComparer.Ordinal);
        Assert.Equal(["README.md", "dist/codes.d.ts", "dist/codes.js", "dist/index.d.ts", "dist/index.js", "package.json"], files);
        Assert.True(File.Exists(Path.Combine(temp.Path, pack.GetProperty("filename").GetString()!)));
        Assert.Equal("defender-errors", pack.GetProperty("name").GetString());

        using var manifest = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(CompanionPackage.Folder, "package.json")));
        Assert.False(manifest.RootElement.TryGetProperty("dependencies", out _), "the package must have no runtime dependencies");
    }

    /// <summary>
    /// codes.ts from the library's public surface: every <see cref="DefenderErrorCode"/>, then the codes the options register
    /// by default; each status is the one the middleware actually answers with (asked of a small host, not copied).
    /// </summary>
    internal static async Task<string> RenderCodesAsync()
    {
        var registered = new DefenderErrorOptions().StatusCodeErrors.Values.Where(e => e.KnownCode is null).Select(e => e.Code)
            .Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseTestServer();
        builder.Logging.ClearProviders();
        builder.Services.AddDefenderErrors();
        await using var app = builder.Build();
        app.UseDefenderErrors();
        app.MapGet("/documented/{code}", (string code) => DefenderResults.Error(Enum.Parse<DefenderErrorCode>(code)));
        app.MapGet("/registered/{code}", (string code) => DefenderResults.Error(new DefenderError(code)));
        await app.StartAsync();
        using var client = app.GetTestClient();

        var text = new StringBuilder("""
            // Generated from the catalog by CompanionPackageTests; run the tests with DEFENDER_UPDATE_GOLDEN=1 to refresh. Do not edit by hand.

            /**
             * The HTTP status of each code: the codes Microsoft 365 Defender documents, then the codes the middleware registers
             * by default. An API may register more, so `error.code` can also be a string not listed here.
             */
            export const defenderErrorStatuses = {

            """);
        foreach (var code in Enum.GetValues<DefenderErrorCode>())
        {
            text.Append(CultureInfo.InvariantCulture, $"  {await WireLineAsync(client, "documented", code.ToString())}\n");
        }

        foreach (var code in registered)
        {
            text.Append(CultureInfo.InvariantCulture, $"  {await WireLineAsync(client, "registered", code)} // registered by default\n");
        }

        text.Append("""
            } as const;

            /** A code this package knows: documented, or registered by the middleware by default. */
            export type DefenderErrorCode = keyof typeof defenderErrorStatuses;

            """);
        return text.ToString();
    }

    private static async Task<string> WireLineAsync(HttpClient client, string kind, string code)
    {
        using var response = await client.GetAsync($"/{kind}/{code}");
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var wire = body.RootElement.GetProperty("error").GetProperty("code").GetString();
        Assert.False(response.StatusCode == HttpStatusCode.OK, $"{code} answered 200");
        return $"{wire}: {(int)response.StatusCode},";
    }
}
