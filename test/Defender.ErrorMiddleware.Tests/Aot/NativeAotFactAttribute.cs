using System.Runtime.InteropServices;

namespace Defender.ErrorMiddleware.Tests.Aot;

/// <summary>
/// A fact that needs what Native AOT links with on Linux: Debian's <c>clang</c> (on PATH) and <c>zlib1g-dev</c>. Without
/// them the test reports itself skipped and says why (<c>.ci/run</c> installs both).
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class NativeAotFactAttribute : FactAttribute
{
    public NativeAotFactAttribute()
    {
        if (MissingPrerequisite is { } missing)
        {
            Skip = missing;
        }
    }

    /// <summary>Why Native AOT cannot publish here, or <see langword="null"/> when it can.</summary>
    public static string? MissingPrerequisite { get; } = FindMissing();

    private static string? FindMissing()
    {
        if (!OperatingSystem.IsLinux() || RuntimeInformation.OSArchitecture is not (Architecture.X64 or Architecture.Arm64))
        {
            return "The Native AOT test runs on Linux x64/arm64 only.";
        }

        var onPath = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Any(directory => File.Exists(Path.Combine(directory, "clang")));
        if (!onPath)
        {
            return "clang is not on PATH; install Debian's clang and zlib1g-dev (apt-get install -y clang zlib1g-dev) to run the Native AOT test.";
        }

        return File.Exists("/usr/include/zlib.h")
            ? null
            : "zlib1g-dev is not installed; install Debian's clang and zlib1g-dev (apt-get install -y clang zlib1g-dev) to run the Native AOT test.";
    }
}
