using System.Collections.Concurrent;

namespace Defender.SampleApi.Clients.Tests.Infrastructure;

/// <summary>Node and npm, found on PATH; each npm folder installed once per run from its committed lock file.</summary>
public static class NodeTools
{
    private static readonly ConcurrentDictionary<string, Lazy<Task>> Installs = new(StringComparer.Ordinal);

    public static string? Node { get; } = FindOnPath("node");

    public static string? Npm { get; } = FindOnPath("npm");

    public static bool IsAvailable => Node is not null && Npm is not null;

    /// <summary>Runs <c>npm ci</c> in <paramref name="folder"/> unless its node_modules already match the lock file.</summary>
    public static Task EnsureInstalledAsync(string folder) =>
        Installs.GetOrAdd(folder, f => new Lazy<Task>(() => InstallAsync(f))).Value;

    /// <summary>A tool from the folder's node_modules/.bin.</summary>
    public static Task<ProcessResult> RunBinAsync(string folder, string tool, IEnumerable<string> arguments, TimeSpan timeout,
        IReadOnlyDictionary<string, string>? environment = null) =>
        ProcessRunner.RunAsync(Path.Combine(folder, "node_modules", ".bin", tool), arguments, folder, timeout, environment);

    public static Task<ProcessResult> RunNodeAsync(string folder, IEnumerable<string> arguments, TimeSpan timeout,
        IReadOnlyDictionary<string, string>? environment = null) =>
        ProcessRunner.RunAsync(Node!, arguments, folder, timeout, environment);

    private static async Task InstallAsync(string folder)
    {
        var installed = Path.Combine(folder, "node_modules", ".package-lock.json");
        var lockFile = Path.Combine(folder, "package-lock.json");
        if (File.Exists(installed) && File.GetLastWriteTimeUtc(installed) >= File.GetLastWriteTimeUtc(lockFile))
        {
            return;
        }

        var result = await ProcessRunner.RunAsync(Npm!, ["ci", "--no-audit", "--no-fund"], folder, TimeSpan.FromMinutes(5));
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException(result.Describe($"npm ci in {folder}"));
        }
    }

    private static string? FindOnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(directory => Path.Combine(directory, name))
            .FirstOrDefault(File.Exists);
}

/// <summary>A fact that needs Node.js and npm on PATH; without them it reports itself skipped and says why.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class NodeFactAttribute : FactAttribute
{
    public NodeFactAttribute()
    {
        if (!NodeTools.IsAvailable)
        {
            Skip = "Node.js and npm are not on PATH; install Debian's nodejs and npm (Node 20 or later) to run the TypeScript tests.";
        }
    }
}

/// <summary>A theory that needs Node.js and npm on PATH.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class NodeTheoryAttribute : TheoryAttribute
{
    public NodeTheoryAttribute()
    {
        if (!NodeTools.IsAvailable)
        {
            Skip = "Node.js and npm are not on PATH; install Debian's nodejs and npm (Node 20 or later) to run the TypeScript tests.";
        }
    }
}
