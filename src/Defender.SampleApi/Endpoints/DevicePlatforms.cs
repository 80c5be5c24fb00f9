using Defender.SampleApi.Data;

namespace Defender.SampleApi.Endpoints;

/// <summary>Which devices an action runs on: platforms, and for Windows 10 the first version (Defender's "1703", "1709").</summary>
internal sealed record DeviceSupport(IReadOnlySet<string>? Platforms, int MinimumWindows10Version = 0);

/// <summary>What each action page of Defender's API documentation says it supports.</summary>
internal static class DevicePlatforms
{
    private static readonly HashSet<string> Windows = ["Windows10", "Windows11", "WindowsServer2012R2", "WindowsServer2016", "WindowsServer2019",
        "WindowsServer2022", "WindowsServer2025"];

    /// <summary>Every platform with the sensor (collect investigation package, live response).</summary>
    public static readonly DeviceSupport Any = new(null);

    /// <summary>Full isolation: Windows 10 1703 and later, Windows 11, Windows Server, Linux.</summary>
    public static readonly DeviceSupport FullIsolation = new(new HashSet<string>(Windows) { "Linux" }, 1703);

    /// <summary>Selective isolation: Windows 10 1709 and later, Windows 11.</summary>
    public static readonly DeviceSupport SelectiveIsolation = new(new HashSet<string> { "Windows10", "Windows11" }, 1709);

    /// <summary>Antivirus scan: Windows 10 1709 and later, Windows 11.</summary>
    public static readonly DeviceSupport Antivirus = new(new HashSet<string> { "Windows10", "Windows11" }, 1709);

    /// <summary>Restrict and unrestrict app execution: Windows 10 1709 and later, Windows 11.</summary>
    public static readonly DeviceSupport AppRestriction = new(new HashSet<string> { "Windows10", "Windows11" }, 1709);

    /// <summary>Offboarding: Windows 10 1703 and later, Windows 11, Windows Server; not macOS or Linux.</summary>
    public static readonly DeviceSupport Offboarding = new(Windows, 1703);

    /// <summary>The platform (with its version when that is what fails) the action does not support on <paramref name="machine"/>, or null.</summary>
    public static string? Refuses(DeviceSupport support, Machine machine)
    {
        if (support.Platforms is { } platforms && !platforms.Contains(machine.OsPlatform))
        {
            return machine.OsPlatform;
        }

        return machine.OsPlatform == "Windows10" && WindowsVersion(machine.Version) < support.MinimumWindows10Version
            ? $"{machine.OsPlatform} {machine.Version}"
            : null;
    }

    /// <summary>
    /// Windows 10 versions as comparable numbers: "1709" is 1709; the half-year names count as later ("21H2" is 2109).
    /// An unknown shape counts as current.
    /// </summary>
    internal static int WindowsVersion(string? version)
    {
        if (version is { Length: 4 } && int.TryParse(version, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var number))
        {
            return number;
        }

        return version is { Length: 4 } && version[2] == 'H' && char.IsAsciiDigit(version[0]) && char.IsAsciiDigit(version[1]) && version[3] is '1' or '2'
            ? ((version[0] - '0') * 1000) + ((version[1] - '0') * 100) + (version[3] == '1' ? 3 : 9)
            : int.MaxValue;
    }
}
