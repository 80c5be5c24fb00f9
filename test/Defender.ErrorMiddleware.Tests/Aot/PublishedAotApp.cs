using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Defender.ErrorMiddleware.Tests.Aot;

/// <summary>
/// test/Defender.ErrorMiddleware.AotApp published once per run with <c>PublishAot=true</c> into a temporary folder (its
/// bin/obj too, so nothing is shared with the solution's build), then started twice: the native binary, and the IL the same
/// publish compiled, under the JIT. Every case is asked of both.
/// </summary>
public sealed partial class PublishedAotApp : IAsyncLifetime
{
    /// <summary>
    /// Restore, build and ILCompiler take 2–4 minutes on an idle two-core machine and up to ~15 on one shared by eight
    /// builds (measured); a hung publish still fails this test rather than the whole run.
    /// </summary>
    private static readonly TimeSpan PublishTimeout = TimeSpan.FromMinutes(30);
    private const string AppName = "Defender.ErrorMiddleware.AotApp";
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "defender-aot-" + Guid.NewGuid().ToString("N")[..12]);

    public ProcessResult? Publish { get; private set; }

    public TimeSpan PublishTime { get; private set; }

    /// <summary>Each distinct IL2xxx/IL3xxx (trim and AOT analysis) warning or error the publish reported.</summary>
    public IReadOnlyList<string> TrimAndAotWarnings { get; private set; } = [];

    public AotAppProcess Native { get; private set; } = null!;

    public AotAppProcess Jit { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        if (NativeAotFactAttribute.MissingPrerequisite is not null)
        {
            return;
        }

        var project = GoldenFile.PathOf(Path.Combine("test", AppName, AppName + ".csproj"));
        var clock = Stopwatch.StartNew();
        // Warnings stay warnings here so every one is listed below, rather than the first failing the publish.
        Publish = await ProcessRunner.RunAsync("dotnet",
            ["publish", project, "-c", "Release", "--artifacts-path", _folder, "-nologo", "-nodeReuse:false",
             "-p:UseSharedCompilation=false", "-p:TreatWarningsAsErrors=false"],
            GoldenFile.RepositoryRoot, PublishTimeout);
        PublishTime = clock.Elapsed;
        TrimAndAotWarnings = AnalysisWarning().Matches(Publish.Output + Publish.Error).Select(m => m.Value.Trim()).Distinct().ToList();
        Assert.True(Publish.ExitCode == 0, Publish.Describe("dotnet publish (Native AOT)"));

        var native = Path.Combine(_folder, "publish", AppName, "release", AppName);
        var il = Path.Combine(_folder, "bin", AppName, "release", AppName + ".dll");
        Assert.True(File.Exists(native), $"No native binary at {native}.\n{Publish.Output}");
        Assert.True(File.Exists(il), $"No IL build at {il}.\n{Publish.Output}");

        Native = await AotAppProcess.StartAsync(native);
        Jit = await AotAppProcess.StartAsync("dotnet", il);
    }

    public async Task DisposeAsync()
    {
        if (Native is not null)
        {
            await Native.DisposeAsync();
        }

        if (Jit is not null)
        {
            await Jit.DisposeAsync();
        }

        try
        {
            if (Directory.Exists(_folder))
            {
                Directory.Delete(_folder, recursive: true);
            }
        }
        catch (IOException)
        {
            // Best effort: the OS cleans the temp folder.
        }
    }

    // MSBuild's and ILCompiler's format: "<origin>: warning IL2026: <text> [<project>]".
    [GeneratedRegex(@"[^\r\n]*\b(?:warning|error) IL[23]\d{3}\b[^\r\n]*")]
    private static partial Regex AnalysisWarning();
}
