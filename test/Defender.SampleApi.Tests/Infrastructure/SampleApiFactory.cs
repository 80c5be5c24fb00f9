using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Microsoft.Extensions.Logging;

namespace Defender.SampleApi.Tests.Infrastructure;

/// <summary>
/// The sample as a newcomer runs it, on TestServer, with its own in-memory database, the fault endpoint on, a rate limit
/// too high for a test run to reach, and every log line captured.
/// </summary>
public class SampleApiFactory : WebApplicationFactory<Program>
{
    public LogCapture Logs { get; } = new();

    protected virtual IReadOnlyDictionary<string, string> Settings { get; } = new Dictionary<string, string>
    {
        ["SampleApi:EnableFaultEndpoint"] = "true",
        ["SampleApi:RateLimits:Enabled"] = "false",
    };

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        foreach (var (key, value) in Settings)
        {
            builder.UseSetting(key, value);
        }

        builder.ConfigureLogging(logging => logging.AddProvider(Logs));
    }

    public HttpClient CreateClient(string? token)
    {
        var client = CreateClient();
        if (token is not null)
        {
            client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        }

        return client;
    }
}

/// <summary>
/// The sample on a clock the test moves (<see cref="FakeTimeProvider"/>), with the given settings on top of the defaults (rate
/// limits on, as Defender documents them, unless the settings say otherwise).
/// </summary>
public class FakeTimeSampleApiFactory(IReadOnlyDictionary<string, string>? settings = null) : SampleApiFactory
{
    /// <summary>Where every fake clock starts: a fixed instant, so action times in bodies are exact.</summary>
    public static readonly DateTimeOffset Start = new(2026, 3, 2, 8, 0, 0, TimeSpan.Zero);

    public FakeTimeProvider Time { get; } = new(Start);

    protected override IReadOnlyDictionary<string, string> Settings { get; } = settings ?? new Dictionary<string, string>();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureTestServices(services => services.AddSingleton<TimeProvider>(Time));
    }
}
