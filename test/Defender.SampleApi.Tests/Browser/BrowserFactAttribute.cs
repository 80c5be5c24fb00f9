namespace Defender.SampleApi.Tests.Browser;

/// <summary>
/// A fact that needs a real Chromium: Debian's <c>chromium</c> package at <see cref="ChromiumPath"/>, never a downloaded browser.
/// Without it the test reports itself skipped and says why.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class BrowserFactAttribute : FactAttribute
{
    public const string ChromiumPath = "/usr/bin/chromium";

    public BrowserFactAttribute()
    {
        if (!IsAvailable)
        {
            Skip = $"Chromium is not installed at {ChromiumPath}; install Debian's package (apt-get install -y chromium) to run the real-browser tests.";
        }
    }

    public static bool IsAvailable => File.Exists(ChromiumPath);
}
