using System.Collections.Concurrent;
using System.Text.RegularExpressions;

namespace Defender.SampleApi.Clients.Tests.Infrastructure;

/// <summary>
/// The TypeScript clients generated from one served document (ts/generate.mjs) next to copies of ts/clients/*.ts, compiled
/// once with <c>tsc --strict</c>. tsc still emits on type errors, so each test can fail on the errors in its own files only.
/// </summary>
public sealed partial class GeneratedTypeScript
{
    private static readonly ConcurrentDictionary<string, Lazy<Task<GeneratedTypeScript>>> Generated = new(StringComparer.Ordinal);
    // Generous: on a machine shared by several builds one strict compile of a generated client has taken over two minutes.
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(6);

    private GeneratedTypeScript(string folder, IReadOnlyList<string> errors, string compilerOutput)
    {
        Folder = folder;
        Errors = errors;
        CompilerOutput = compilerOutput;
    }

    public string Folder { get; }

    /// <summary>tsc's error lines, e.g. <c>obj/openapi/hey-api.test.ts(33,44): error TS2339: …</c>.</summary>
    public IReadOnlyList<string> Errors { get; }

    public string CompilerOutput { get; }

    public static Task<GeneratedTypeScript> ForAsync(SampleServers servers, string path, string name) =>
        Generated.GetOrAdd(name, _ => new Lazy<Task<GeneratedTypeScript>>(() => GenerateAsync(servers, path, name))).Value;

    /// <summary>The compile errors in <paramref name="files"/> (file names in the generated folder).</summary>
    public IReadOnlyList<string> ErrorsIn(params string[] files) =>
        Errors.Where(line => files.Any(f => line.Contains("/" + f + "(", StringComparison.Ordinal))).ToList();

    public string Js(string testFile) => Path.Combine(Folder, "js", Path.ChangeExtension(testFile, ".js"));

    private static async Task<GeneratedTypeScript> GenerateAsync(SampleServers servers, string path, string name)
    {
        await NodeTools.EnsureInstalledAsync(Repository.ToolsFolder);
        await CompanionPackage.EnsureBuiltAsync();
        var folder = Path.Combine(Repository.ToolsFolder, "obj", name);
        if (Directory.Exists(folder))
        {
            Directory.Delete(folder, recursive: true);
        }

        var generate = await NodeTools.RunNodeAsync(Repository.ToolsFolder, ["generate.mjs", servers.Api.Address + path, folder], Timeout);
        Assert.True(generate.ExitCode == 0, generate.Describe("generate.mjs"));

        var compile = await NodeTools.RunBinAsync(Repository.ToolsFolder, "tsc", ["-p", Path.Combine(folder, "tsconfig.json")], Timeout);
        var errors = compile.Output.Split('\n').Where(line => ErrorLine().IsMatch(line)).Select(line => line.TrimEnd()).ToList();
        Assert.True(compile.ExitCode == 0 || errors.Count > 0, compile.Describe("tsc"));
        return new GeneratedTypeScript(folder, errors, compile.Output);
    }

    [GeneratedRegex(@"\(\d+,\d+\): error TS\d+")]
    private static partial Regex ErrorLine();
}
