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
        var folder = Path.Combine(CompanionPackage.Folder, "test");
        var tests = Directory.GetFiles(folder, "*.test.js").Concat(Directory.GetFiles(folder, "*.test.cjs")).Order(StringComparer.Ordinal).ToList();

        var run = await NodeTestRun.RunAsync(CompanionPackage.Folder, tests, servers, output);

        // Every test in the files ran (none skipped for want of the servers), and each error from the sample was logged once.
        // Besides the sample, fakes.test.js starts its own servers on 127.0.0.1 (HTML 502, a body that never ends, Retry-After
        // forms) and calls a closed port; require.test.cjs loads the CommonJS build by the package's name.
        Assert.True(run.Passed == 37, run.Report);
        Assert.Equal(0, run.Skipped);
        Assert.True(run.Targets.Count == 8, run.Report);
        servers.AssertLogged(run.Targets);
    }

    [NodeFact]
    public async Task NpmPack_ShipsBothModuleFormatsTypesAndReadmeOnly()
    {
        await CompanionPackage.EnsureBuiltAsync();
        using var temp = new TempDirectory();

        // The build ran above; --ignore-scripts keeps pack from rebuilding dist/ under a test that may be reading it.
        var result = await ProcessRunner.RunAsync(NodeTools.Npm!, ["pack", "--ignore-scripts", "--json", "--pack-destination", temp.Path],
            CompanionPackage.Folder, TimeSpan.FromMinutes(1));
        Assert.True(result.ExitCode == 0, result.Describe("npm pack"));

        var pack = JsonDocument.Parse(result.Output).RootElement[0];
        var files = pack.GetProperty("files").EnumerateArray().Select(f => f.GetProperty("path").GetString()).Order(StringComparer.Ordinal);
        Assert.Equal(
            ["README.md", "dist/cjs/codes.d.ts", "dist/cjs/codes.js", "dist/cjs/index.d.ts", "dist/cjs/index.js", "dist/cjs/package.json",
             "dist/codes.d.ts", "dist/codes.js", "dist/index.d.ts", "dist/index.js", "package.json"],
            files);
        Assert.True(File.Exists(Path.Combine(temp.Path, pack.GetProperty("filename").GetString()!)));
        Assert.Equal("defender-errors", pack.GetProperty("name").GetString());

        using var manifest = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(CompanionPackage.Folder, "package.json")));
        Assert.False(manifest.RootElement.TryGetProperty("dependencies", out _), "the package must have no runtime dependencies");

        // import and require each find their own build and declarations; dist/cjs says it is CommonJS.
        var root = manifest.RootElement.GetProperty("exports").GetProperty(".");
        Assert.Equal("./dist/index.js", root.GetProperty("import").GetProperty("default").GetString());
        Assert.Equal("./dist/index.d.ts", root.GetProperty("import").GetProperty("types").GetString());
        Assert.Equal("./dist/cjs/index.js", root.GetProperty("require").GetProperty("default").GetString());
        Assert.Equal("./dist/cjs/index.d.ts", root.GetProperty("require").GetProperty("types").GetString());
        Assert.Equal("""{"type":"commonjs"}""", (await File.ReadAllTextAsync(Path.Combine(CompanionPackage.Dist, "cjs", "package.json"))).Trim());
    }

    /// <summary>
    /// A Node project without the DOM lib (lib ES2022, @types/node only) compiles against the declarations, as an ES module and
    /// as CommonJS (ts/consumers): no DOM type (RequestInfo, Response) leaks into them.
    /// </summary>
    [NodeFact]
    public async Task Declarations_CompileWithoutTheDomLib_ImportedAndRequired()
    {
        await CompanionPackage.EnsureBuiltAsync();
        await NodeTools.EnsureInstalledAsync(Repository.ToolsFolder);

        var result = await NodeTools.RunBinAsync(Repository.ToolsFolder, "tsc", ["-p", Path.Combine("consumers", "tsconfig.json"), "--traceResolution"],
            TimeSpan.FromMinutes(2));

        Assert.True(result.ExitCode == 0, result.Describe("tsc -p consumers"));
        Assert.Contains("'defender-errors' was successfully resolved to '" + Path.Combine(CompanionPackage.Dist, "index.d.ts"), result.Output, StringComparison.Ordinal);
        Assert.Contains("'defender-errors' was successfully resolved to '" + Path.Combine(CompanionPackage.Dist, "cjs", "index.d.ts"), result.Output, StringComparison.Ordinal);
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
