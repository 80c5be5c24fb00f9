using System.Diagnostics;
using System.IO.Compression;
using System.Text.Json.Nodes;
using System.Xml.Linq;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Defender.ErrorMiddleware.Client.Tests;

/// <summary>
/// The client must be usable where ASP.NET Core is not (a console tool, Blazor WebAssembly, MAUI): its package depends on the
/// contracts alone, and an app built on it runs on the bare .NET runtime. Both tests run the real SDK, so they share one class
/// (xunit runs a class's tests one at a time: the two builds never race on the client's output).
/// </summary>
public sealed class PackageTests
{
    private static readonly TimeSpan BuildTimeout = TimeSpan.FromMinutes(5);

    [Fact]
    public async Task Pack_ClientNuspec_DependsOnContractsAndHttpResilienceOnly()
    {
        using var output = new TempDirectory();
        await RunDotnetAsync(GoldenFile.RepositoryRoot, "pack", "src/Defender.ErrorMiddleware.Client", "-o", output.Path);

        var package = Directory.GetFiles(output.Path, "Defender.ErrorMiddleware.Client.*.nupkg").Single(p => !p.EndsWith(".snupkg", StringComparison.Ordinal));
        using var archive = ZipFile.OpenRead(package);
        var entry = archive.Entries.Single(e => e.FullName == "Defender.ErrorMiddleware.Client.nuspec");
        XDocument nuspec;
        using (var stream = entry.Open())
        {
            nuspec = XDocument.Load(stream);
        }

        var metadata = nuspec.Root!.Elements().Single(e => e.Name.LocalName == "metadata");
        Assert.DoesNotContain(metadata.Elements(), e => e.Name.LocalName == "frameworkReferences");
        var groups = metadata.Elements().Single(e => e.Name.LocalName == "dependencies").Elements().ToList();
        Assert.Equal(["net10.0", "net8.0"], groups.Select(g => (string)g.Attribute("targetFramework")!).Order(StringComparer.Ordinal));
        foreach (var group in groups)
        {
            // The contracts, and the resilience package AddDefenderApiErrors() and DefenderApiRetry plug into: still no ASP.NET Core.
            Assert.Equal(["Defender.ErrorMiddleware.Contracts", "Microsoft.Extensions.Http.Resilience"], group.Elements().Select(d => (string)d.Attribute("id")!).Order(StringComparer.Ordinal));
        }
    }

    [Fact]
    public async Task ConsoleApp_ReadsTheEnvelope_WithoutAspNetCore()
    {
        await using var server = await StartServerAsync();
        using var app = new TempDirectory();
        var client = Path.Combine(GoldenFile.RepositoryRoot, "src", "Defender.ErrorMiddleware.Client", "Defender.ErrorMiddleware.Client.csproj");
        await File.WriteAllTextAsync(Path.Combine(app.Path, "ConsoleClient.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <ImplicitUsings>enable</ImplicitUsings>
                <Nullable>enable</Nullable>
              </PropertyGroup>
              <ItemGroup>
                <ProjectReference Include="{client}" />
              </ItemGroup>
            </Project>
            """);
        await File.WriteAllTextAsync(Path.Combine(app.Path, "Program.cs"), """
            using Defender.ErrorMiddleware;
            using Defender.ErrorMiddleware.Client;

            using var http = new HttpClient(new DefenderApiErrorHandler(new HttpClientHandler())) { BaseAddress = new Uri(args[0]) };
            try
            {
                await http.GetStringAsync("machines/123");
                Console.WriteLine("no error");
            }
            catch (DefenderApiException ex) when (ex.KnownCode == DefenderErrorCode.ResourceNotFound)
            {
                Console.WriteLine($"{ex.Status} {ex.Code} {ex.Error.Message} {ex.Target:D}");
            }

            var aspNetCore = AppDomain.CurrentDomain.GetAssemblies().Select(a => a.GetName().Name).Where(n => n!.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal));
            Console.WriteLine("ASP.NET Core assemblies loaded: " + (aspNetCore.Any() ? string.Join(",", aspNetCore) : "none"));
            """);

        // Debug, as the test run built the client: only the app itself compiles.
        await RunDotnetAsync(app.Path, "build");
        var output = Path.Combine(app.Path, "bin", "Debug", "net10.0");

        // The app asks the runtime for .NET alone, never for the ASP.NET Core shared framework.
        var runtimeConfig = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(output, "ConsoleClient.runtimeconfig.json")))!;
        var frameworks = runtimeConfig["runtimeOptions"]!["frameworks"]?.AsArray().Select(f => (string)f!["name"]!)
            ?? [(string)runtimeConfig["runtimeOptions"]!["framework"]!["name"]!];
        Assert.Equal(["Microsoft.NETCore.App"], frameworks);
        var deps = await File.ReadAllTextAsync(Path.Combine(output, "ConsoleClient.deps.json"));
        Assert.DoesNotContain("Microsoft.AspNetCore", deps, StringComparison.Ordinal);

        var printed = await RunDotnetAsync(app.Path, Path.Combine(output, "ConsoleClient.dll"), server.Address);
        var lines = printed.ReplaceLineEndings("\n").Trim().Split('\n');
        Assert.Equal(2, lines.Length);
        Assert.Matches("^404 ResourceNotFound Machine 123 was not found [0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", lines[0]);
        Assert.Equal(server.LoggedTargets.Single(), lines[0][^36..]);
        Assert.Equal("ASP.NET Core assemblies loaded: none", lines[1]);
    }

    private static async Task<TestServerHandle> StartServerAsync()
    {
        var logs = new LogCapture();
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Logging.AddProvider(logs);
        builder.Services.AddDefenderErrors();
        var app = builder.Build();
        app.UseDefenderErrors();
        app.MapGet("/machines/{id}", string (string id) => throw new DefenderException(DefenderError.ResourceNotFound("Machine", id)));
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        return new TestServerHandle(app, address + "/", logs);
    }

    private static async Task<string> RunDotnetAsync(string workingDirectory, params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        if (arguments[0] is "build" or "pack")
        {
            // No compiler or MSBuild server may outlive the test.
            start.ArgumentList.Add("--disable-build-servers");
            start.ArgumentList.Add("-nologo");
        }

        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(BuildTimeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        var text = await stdout;
        Assert.True(process.ExitCode == 0, $"dotnet {string.Join(' ', arguments)} exited with {process.ExitCode}:\n{text}\n{await stderr}");
        return text;
    }

    private sealed class TempDirectory : IDisposable
    {
        public string Path { get; } = Directory.CreateTempSubdirectory("defender-client-").FullName;

        public void Dispose() => Directory.Delete(Path, recursive: true);
    }

    private sealed class TestServerHandle(WebApplication app, string address, LogCapture logs) : IAsyncDisposable
    {
        public string Address { get; } = address;

        public IEnumerable<string> LoggedTargets => logs.FromDefender.Select(e => e.Target?.ToString("D")).OfType<string>();

        public ValueTask DisposeAsync() => app.DisposeAsync();
    }
}
