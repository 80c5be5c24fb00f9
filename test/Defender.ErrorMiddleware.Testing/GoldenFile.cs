using Xunit;

namespace Defender.ErrorMiddleware.Testing;

/// <summary>
/// Checked-in files that the code must reproduce (generated docs, OpenAPI documents): compared exactly, or rewritten when
/// <see cref="UpdateVariable"/> is 1 so the change can be reviewed in the diff.
/// </summary>
public static class GoldenFile
{
    /// <summary>Set to 1 to rewrite generated docs and golden files instead of comparing with them.</summary>
    public const string UpdateVariable = "DEFENDER_UPDATE_GOLDEN";

    /// <summary>Whether this run rewrites golden files.</summary>
    public static bool Updating => Environment.GetEnvironmentVariable(UpdateVariable) == "1";

    /// <summary>The repository's root: the folder holding <c>Defender.ErrorMiddleware.sln</c>, found from the test's output folder.</summary>
    public static string RepositoryRoot { get; } = FindRoot();

    /// <summary>The full path of a file given relative to the repository root.</summary>
    public static string PathOf(string relativePath) => Path.Combine(RepositoryRoot, relativePath);

    /// <summary>Asserts a checked-in file (relative to the repository root) equals the text, or rewrites it when updating.</summary>
    public static void AssertMatches(string relativePath, string actual)
    {
        ArgumentNullException.ThrowIfNull(actual);
        var path = PathOf(relativePath);
        actual = actual.ReplaceLineEndings("\n");
        if (Updating)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, actual);
            return;
        }

        Assert.True(File.Exists(path), $"{relativePath} is missing; run the tests once with {UpdateVariable}=1 to create it, and review it.");
        var expected = File.ReadAllText(path).ReplaceLineEndings("\n");
        Assert.True(expected == actual,
            $"{relativePath} has drifted from what the code generates. Review the change and run the tests with {UpdateVariable}=1 to accept it.\n{FirstDifference(expected, actual)}");
    }

    /// <summary>
    /// Asserts a checked-in JSON file equals the JSON, both written indented with relaxed escaping (one stable layout, so the
    /// diff of a change shows only what changed), or rewrites it when updating.
    /// </summary>
    public static void AssertJsonMatches(string relativePath, string json) => AssertMatches(relativePath, IndentJson(json));

    /// <summary>The JSON indented, non-ASCII and quotes unescaped, with a final newline.</summary>
    public static string IndentJson(string json) =>
        System.Text.Json.Nodes.JsonNode.Parse(json)!.ToJsonString(IndentedJson).ReplaceLineEndings("\n") + "\n";

    private static readonly System.Text.Json.JsonSerializerOptions IndentedJson = new()
    {
        WriteIndented = true,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    private static string FirstDifference(string expected, string actual)
    {
        var expectedLines = expected.Split('\n');
        var actualLines = actual.Split('\n');
        for (var i = 0; i < Math.Max(expectedLines.Length, actualLines.Length); i++)
        {
            var e = i < expectedLines.Length ? expectedLines[i] : "(end of file)";
            var a = i < actualLines.Length ? actualLines[i] : "(end of file)";
            if (e != a)
            {
                return $"First difference at line {i + 1}:\n  expected: {e}\n  actual:   {a}";
            }
        }

        return string.Empty;
    }

    private static string FindRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Defender.ErrorMiddleware.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("Run the tests from inside the repository.");
    }
}
