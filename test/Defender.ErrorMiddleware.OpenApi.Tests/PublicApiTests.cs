using System.Runtime.CompilerServices;
using Defender.ErrorMiddleware.Tests.Shared;
using Microsoft.Extensions.DependencyInjection;

namespace Defender.ErrorMiddleware.OpenApi.Tests;

public sealed class PublicApiTests
{
    [Theory]
    [InlineData("Defender.ErrorMiddleware.OpenApi")]
    [InlineData("Defender.ErrorMiddleware.Swashbuckle")]
    public void PublicApi_MatchesGoldenFile(string assemblyName)
    {
        var assembly = assemblyName.EndsWith("OpenApi", StringComparison.Ordinal)
            ? typeof(DefenderErrorsOpenApiOptionsExtensions).Assembly
            : typeof(DefenderErrorsSwaggerGenOptionsExtensions).Assembly;
        var actual = PublicApi.Describe(assembly);
        var path = GoldenPath(assemblyName + ".PublicApi.txt");
        if (Environment.GetEnvironmentVariable("DEFENDER_UPDATE_GOLDEN") == "1")
        {
            File.WriteAllText(path, actual);
        }

        Assert.True(File.Exists(path), $"Missing golden file {path}: run the tests once with DEFENDER_UPDATE_GOLDEN=1 and review the file.");
        Assert.Equal(File.ReadAllText(path).ReplaceLineEndings("\n"), actual);
    }

    private static string GoldenPath(string name, [CallerFilePath] string source = "") =>
        Path.Combine(Path.GetDirectoryName(source)!, "Golden", name);
}
