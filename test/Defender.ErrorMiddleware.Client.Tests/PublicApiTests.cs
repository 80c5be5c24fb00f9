using System.Runtime.CompilerServices;
using Defender.ErrorMiddleware.Client;
using Defender.ErrorMiddleware.Tests.Shared;

namespace Defender.ErrorMiddleware.Client.Tests;

public sealed class PublicApiTests
{
    [Fact]
    public void PublicApi_MatchesGoldenFile()
    {
        var actual = PublicApi.Describe(typeof(DefenderApiError).Assembly);
        var path = GoldenPath("Defender.ErrorMiddleware.Client.PublicApi.txt");
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
