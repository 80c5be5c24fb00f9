using System.Collections.Concurrent;

namespace Defender.SampleApi.Clients.Tests.Infrastructure;

/// <summary>
/// Kiota and NSwag clients generated from one served document with the pinned dotnet tools (.config/dotnet-tools.json),
/// in a project of their own outside the repository (CSharp/*: warnings are errors, nullable on), built once per document.
/// </summary>
public sealed class GeneratedCSharp
{
    private static readonly ConcurrentDictionary<string, Lazy<Task<GeneratedCSharp>>> Generated = new(StringComparer.Ordinal);
    private static readonly Lazy<Task> ToolRestore = new(RestoreToolsAsync);
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(4);

    private static readonly string[] KiotaPackages =
    [
        "Microsoft.Kiota.Abstractions", "Microsoft.Kiota.Http.HttpClientLibrary", "Microsoft.Kiota.Serialization.Json",
        "Microsoft.Kiota.Serialization.Text", "Microsoft.Kiota.Serialization.Form", "Microsoft.Kiota.Serialization.Multipart",
    ];

    /// <summary>A quiet build that leaves no MSBuild node or compiler server running after the test.</summary>
    public static readonly string[] BuildArguments = ["build", "-nologo", "-v", "q", "-clp:NoSummary", "-nodeReuse:false", "-p:UseSharedCompilation=false"];

    private GeneratedCSharp(string folder, ProcessResult build)
    {
        Folder = folder;
        Build = build;
    }

    /// <summary>The consumer project's folder, under the system temp folder (removed by the OS, reused within a run).</summary>
    public string Folder { get; }

    /// <summary>The first build: the clients and the error checks, without Bodies.cs.</summary>
    public ProcessResult Build { get; }

    public static Task<GeneratedCSharp> ForAsync(string documentUrl, string name) =>
        Generated.GetOrAdd(name, _ => new Lazy<Task<GeneratedCSharp>>(() => GenerateAsync(documentUrl, name))).Value;

    public static Task<ProcessResult> DotnetAsync(string folder, params string[] arguments) =>
        ProcessRunner.RunAsync("dotnet", arguments, folder, Timeout);

    /// <summary>Runs the built consumer: one PASS/FAIL line per check.</summary>
    public Task<ProcessResult> RunAsync(params string[] arguments) =>
        DotnetAsync(Folder, ["run", "--no-build", "--", .. arguments]);

    private static async Task<GeneratedCSharp> GenerateAsync(string documentUrl, string name)
    {
        await ToolRestore.Value;
        var folder = Path.Combine(Path.GetTempPath(), $"defender-csharp-clients-{Environment.ProcessId}-{name}");
        if (Directory.Exists(folder))
        {
            Directory.Delete(folder, recursive: true);
        }

        Directory.CreateDirectory(folder);
        var template = await File.ReadAllTextAsync(Path.Combine(Repository.TestProject, "CSharp", "Consumer.csproj.template"));
        foreach (var package in KiotaPackages)
        {
            template = template.Replace($"@{package}@", Repository.PinnedVersion(package), StringComparison.Ordinal);
        }

        await File.WriteAllTextAsync(Path.Combine(folder, "Consumer.csproj"), template);
        foreach (var source in Directory.GetFiles(Path.Combine(Repository.TestProject, "CSharp"), "*.cs"))
        {
            File.Copy(source, Path.Combine(folder, Path.GetFileName(source)));
        }

        // The tools run from the repository so they resolve through its manifest; their output goes to the consumer project.
        var kiota = await ProcessRunner.RunAsync("dotnet",
            ["kiota", "generate", "--language", "CSharp", "--openapi", documentUrl, "--output", Path.Combine(folder, "Kiota"),
             "--namespace-name", "Generated.Kiota", "--class-name", "DefenderClient", "--exclude-backward-compatible", "--clean-output", "--log-level", "Error"],
            Repository.Root, Timeout, new Dictionary<string, string> { ["KIOTA_UPDATE_DISABLED"] = "true" });
        Assert.True(kiota.ExitCode == 0 && File.Exists(Path.Combine(folder, "Kiota", "DefenderClient.cs")), kiota.Describe("kiota generate"));

        var nswag = await ProcessRunner.RunAsync("dotnet",
            ["nswag", "openapi2csclient", $"/input:{documentUrl}", $"/output:{Path.Combine(folder, "NSwagClient.cs")}", "/namespace:Generated.NSwag",
             "/className:DefenderClient", "/jsonLibrary:SystemTextJson", "/operationGenerationMode:SingleClientFromOperationId",
             "/exceptionClass:DefenderApiException", "/generateNullableReferenceTypes:true", "/generateOptionalParameters:true"],
            Repository.Root, Timeout);
        Assert.True(nswag.ExitCode == 0 && File.Exists(Path.Combine(folder, "NSwagClient.cs")), nswag.Describe("nswag openapi2csclient"));

        var build = await DotnetAsync(folder, BuildArguments);
        return new GeneratedCSharp(folder, build);
    }

    /// <summary>Removes the consumer projects of this run.</summary>
    public static void DeleteAll()
    {
        foreach (var folder in Directory.GetDirectories(Path.GetTempPath(), $"defender-csharp-clients-{Environment.ProcessId}-*"))
        {
            try
            {
                Directory.Delete(folder, recursive: true);
            }
            catch (IOException)
            {
                // A build server may still hold a file; the OS cleans the temp folder.
            }
        }
    }

    private static async Task RestoreToolsAsync()
    {
        var restore = await ProcessRunner.RunAsync("dotnet", ["tool", "restore"], Repository.Root, Timeout);
        Assert.True(restore.ExitCode == 0, restore.Describe("dotnet tool restore"));
    }
}
