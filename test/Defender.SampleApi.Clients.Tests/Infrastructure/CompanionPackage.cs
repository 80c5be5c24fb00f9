namespace Defender.SampleApi.Clients.Tests.Infrastructure;

/// <summary>The TypeScript companion package, installed and built once per run: ESM in dist/, CommonJS in dist/cjs/ (what npm pack ships).</summary>
public static class CompanionPackage
{
    private static readonly Lazy<Task> Build = new(BuildAsync);

    public static string Folder => Repository.CompanionFolder;

    public static string Dist => Path.Combine(Folder, "dist");

    public static Task EnsureBuiltAsync() => Build.Value;

    private static async Task BuildAsync()
    {
        await NodeTools.EnsureInstalledAsync(Folder);
        var result = await NodeTools.RunNodeAsync(Folder, ["scripts/build.mjs"], TimeSpan.FromMinutes(2));
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException(result.Describe("scripts/build.mjs (defender-errors)"));
        }
    }
}
