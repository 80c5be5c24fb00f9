using System.Text.RegularExpressions;

namespace Defender.SampleApi.Clients.Tests.Infrastructure;

/// <summary>
/// Runs Node's test runner (TAP reporter) on files, against the sample servers, and reads its totals; every target a Node
/// test saw is written by the test to a file so the C# side can find it in the server log.
/// </summary>
public static partial class NodeTestRun
{
    public sealed record Result(int Passed, int Failed, int Skipped, IReadOnlyList<string> Targets, string Report);

    public static async Task<Result> RunAsync(string folder, IReadOnlyList<string> files, SampleServers servers, ITestOutputHelper output,
        IReadOnlyDictionary<string, string>? extraEnvironment = null)
    {
        using var temp = new TempDirectory();
        var targetsFile = Path.Combine(temp.Path, "targets.txt");
        var environment = new Dictionary<string, string>(extraEnvironment ?? new Dictionary<string, string>())
        {
            ["DEFENDER_API_URL"] = servers.Api.Address,
            ["DEFENDER_RATE_LIMITED_API_URL"] = servers.RateLimitedApi.Address,
            ["DEFENDER_TARGETS_FILE"] = targetsFile,
        };

        var result = await NodeTools.RunNodeAsync(folder, ["--test", "--test-reporter=tap", .. files], TimeSpan.FromMinutes(2), environment);
        output.WriteLine(result.Output);
        output.WriteLine(result.Error);

        var targets = File.Exists(targetsFile) ? await File.ReadAllLinesAsync(targetsFile) : [];
        var run = new Result(Count(result.Output, "pass"), Count(result.Output, "fail"), Count(result.Output, "skipped"), targets, result.Describe("node --test"));
        Assert.True(result.ExitCode == 0 && run.Failed == 0, run.Report);
        return run;
    }

    private static int Count(string tap, string name)
    {
        var match = Regex.Match(tap, $@"^# {name} (\d+)$", RegexOptions.Multiline);
        return match.Success ? int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) : 0;
    }
}
