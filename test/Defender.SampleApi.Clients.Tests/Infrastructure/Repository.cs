using System.Xml.Linq;

namespace Defender.SampleApi.Clients.Tests.Infrastructure;

/// <summary>Paths in the source tree, and the central package pins (one definition, read by the generated projects too).</summary>
public static class Repository
{
    public static string Root => GoldenFile.RepositoryRoot;

    public static string TestProject => Path.Combine(Root, "test", "Defender.SampleApi.Clients.Tests");

    /// <summary>The npm folder with the linters and TypeScript generators.</summary>
    public static string ToolsFolder => Path.Combine(TestProject, "ts");

    /// <summary>The TypeScript companion package.</summary>
    public static string CompanionFolder => Path.Combine(Root, "src", "defender-errors-js");

    /// <summary>The exact version <c>Directory.Packages.props</c> pins for <paramref name="package"/>.</summary>
    public static string PinnedVersion(string package)
    {
        var props = XDocument.Load(Path.Combine(Root, "Directory.Packages.props"));
        return props.Descendants("PackageVersion")
            .Single(e => string.Equals((string?)e.Attribute("Include"), package, StringComparison.OrdinalIgnoreCase))
            .Attribute("Version")!.Value;
    }
}
