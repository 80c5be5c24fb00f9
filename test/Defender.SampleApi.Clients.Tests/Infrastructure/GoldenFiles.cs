namespace Defender.SampleApi.Clients.Tests.Infrastructure;

/// <summary>Checked-in generated files: compared with what the code generates, or rewritten with DEFENDER_UPDATE_GOLDEN=1.</summary>
public static class GoldenFiles
{
    public const string UpdateVariable = "DEFENDER_UPDATE_GOLDEN";

    public static void AssertMatches(string relativePath, string generated)
    {
        var path = Path.Combine(Repository.Root, relativePath);
        if (Environment.GetEnvironmentVariable(UpdateVariable) == "1")
        {
            File.WriteAllText(path, generated);
            return;
        }

        Assert.True(File.Exists(path), $"{relativePath} is missing; run the tests once with {UpdateVariable}=1 to create it.");
        var expected = File.ReadAllText(path).ReplaceLineEndings("\n");
        Assert.True(expected == generated,
            $"{relativePath} has drifted from what the catalog generates. Review the change and run the tests with {UpdateVariable}=1 to accept it.\n--- generated ---\n{generated}");
    }
}
