namespace Defender.ErrorMiddleware.Tests.Infrastructure;

/// <summary>Finds checked-in files (docs, golden files) from the test's output folder.</summary>
public static class RepositoryFiles
{
    /// <summary>Set to 1 to rewrite generated docs and golden files instead of comparing with them.</summary>
    public const string UpdateVariable = "DEFENDER_UPDATE_GOLDEN";

    public static string Root
    {
        get
        {
            var directory = new DirectoryInfo(AppContext.BaseDirectory);
            while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Defender.ErrorMiddleware.sln")))
            {
                directory = directory.Parent;
            }

            return directory?.FullName ?? throw new InvalidOperationException("Run the tests from inside the repository.");
        }
    }

    /// <summary>Asserts a checked-in file equals the generated text, or rewrites it when <see cref="UpdateVariable"/> is 1.</summary>
    public static void AssertMatches(string relativePath, string generated)
    {
        var path = Path.Combine(Root, relativePath);
        if (Environment.GetEnvironmentVariable(UpdateVariable) == "1")
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, generated);
            return;
        }

        Assert.True(File.Exists(path), $"{relativePath} is missing; run the tests once with {UpdateVariable}=1 to create it.");
        var expected = File.ReadAllText(path).ReplaceLineEndings("\n");
        Assert.True(expected == generated,
            $"{relativePath} has drifted from what the code generates. Review the change and run the tests with {UpdateVariable}=1 to accept it.");
    }
}
