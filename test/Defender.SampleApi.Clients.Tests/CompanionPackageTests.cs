using System.Globalization;
using System.Text;
using System.Text.Json;
using Defender.ErrorMiddleware.Catalog;
using Defender.SampleApi.Clients.Tests.Infrastructure;

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
    public void CodesFile_MatchesTheCatalog() => GoldenFile.AssertMatches(CodesFile, RenderCodes());

    [NodeFact]
    public async Task NodeTests_Pass_AgainstTheSample()
    {
        await CompanionPackage.EnsureBuiltAsync();
        var tests = Directory.GetFiles(Path.Combine(CompanionPackage.Folder, "test"), "*.test.js").Order(StringComparer.Ordinal).ToList();

        var run = await NodeTestRun.RunAsync(CompanionPackage.Folder, tests, servers, output);

        // Every test in the files ran (none skipped for want of the servers), and each error from the sample was logged once.
        Assert.True(run.Passed == 23, run.Report);
        Assert.Equal(0, run.Skipped);
        Assert.True(run.Targets.Count == 8, run.Report);
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
    /// codes.ts from the public catalog (Defender.ErrorMiddleware.Contracts): every documented code with its status, then the
    /// codes the bodiless-status table registers by default (TooManyRequests for 429).
    /// </summary>
    internal static string RenderCodes()
    {
        var text = new StringBuilder("""
            // Generated from the catalog by CompanionPackageTests; run the tests with DEFENDER_UPDATE_GOLDEN=1 to refresh. Do not edit by hand.

            /**
             * The HTTP status of each code: the codes Microsoft 365 Defender documents, then the codes the middleware registers
             * by default. An API may register more, so `error.code` can also be a string not listed here.
             */
            export const defenderErrorStatuses = {

            """);
        foreach (var descriptor in DefenderErrorCatalog.All)
        {
            text.Append(CultureInfo.InvariantCulture, $"  {descriptor.Name}: {descriptor.StatusCode},\n");
        }

        foreach (var (status, error) in DefenderStatusCodeErrors.Defaults.Where(p => p.Value.KnownCode is null).OrderBy(p => p.Value.Code, StringComparer.Ordinal))
        {
            text.Append(CultureInfo.InvariantCulture, $"  {error.Code}: {status}, // registered by default\n");
        }

        text.Append("""
            } as const;

            /** A code this package knows: documented, or registered by the middleware by default. */
            export type DefenderErrorCode = keyof typeof defenderErrorStatuses;

            """);
        return text.ToString();
    }
}
