using System.Text.Json;
using Defender.SampleApi.Clients.Tests.Infrastructure;

namespace Defender.SampleApi.Clients.Tests;

/// <summary>
/// Both served documents under the recommended rule sets of the two common OpenAPI linters: no error, and only the warnings
/// docs/clients.md lists as deliberate.
/// </summary>
[Collection(SampleServersGroup.Name)]
public sealed class OpenApiLintTests(SampleServers servers)
{
    /// <summary>Spectral's spectral:oas warnings the sample keeps: a sample has no support contact; summaries say enough.</summary>
    private static readonly string[] SpectralAllowedWarnings = ["info-contact", "operation-description"];

    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(2);

    [NodeTheory]
    [InlineData("/openapi/v1.json")]
    [InlineData("/swagger/v1/swagger.json")]
    public async Task Spectral_ReportsNoErrorAndOnlyTheDeliberateWarnings_OnTheServedDocument(string path)
    {
        await NodeTools.EnsureInstalledAsync(Repository.ToolsFolder);
        using var temp = new TempDirectory();
        var document = await servers.SaveDocumentAsync(path, temp.Path);

        var result = await NodeTools.RunBinAsync(Repository.ToolsFolder, "spectral",
            ["lint", "--ruleset", ".spectral.yaml", "--format", "json", "--quiet", document], Timeout);

        // Spectral prints [] (or nothing) when clean; severity 0 is an error, 1 a warning.
        var json = result.Output.Trim();
        var problems = string.IsNullOrEmpty(json) || json.StartsWith("No results", StringComparison.Ordinal)
            ? []
            : JsonDocument.Parse(json).RootElement.EnumerateArray()
                .Select(p => (Code: p.GetProperty("code").GetString()!, Severity: p.GetProperty("severity").GetInt32(),
                    Where: string.Join('.', p.GetProperty("path").EnumerateArray().Select(s => s.ToString()))))
                .ToList();
        Assert.True(result.ExitCode == 0, result.Describe("spectral lint"));
        Assert.DoesNotContain(problems, p => p.Severity == 0);
        Assert.All(problems, p => Assert.Contains(p.Code, SpectralAllowedWarnings));
    }

    [NodeTheory]
    [InlineData("/openapi/v1.json")]
    [InlineData("/swagger/v1/swagger.json")]
    public async Task Redocly_ReportsNoErrorAndNoWarning_OnTheServedDocument(string path)
    {
        await NodeTools.EnsureInstalledAsync(Repository.ToolsFolder);
        using var temp = new TempDirectory();
        var document = await servers.SaveDocumentAsync(path, temp.Path);

        var result = await NodeTools.RunBinAsync(Repository.ToolsFolder, "redocly",
            ["lint", "--config", "redocly.yaml", "--format", "json", document], Timeout,
            new Dictionary<string, string> { ["REDOCLY_TELEMETRY"] = "off", ["REDOCLY_SUPPRESS_UPDATE_NOTICE"] = "true" });

        var json = result.Output[result.Output.IndexOf('{', StringComparison.Ordinal)..];
        var report = JsonDocument.Parse(json).RootElement;
        var problems = report.GetProperty("problems").EnumerateArray()
            .Select(p => $"{p.GetProperty("severity").GetString()} {p.GetProperty("ruleId").GetString()}: {p.GetProperty("message").GetString()}")
            .ToList();
        Assert.True(result.ExitCode == 0, result.Describe("redocly lint"));
        Assert.Empty(problems);
    }
}
