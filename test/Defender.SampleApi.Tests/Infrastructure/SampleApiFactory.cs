using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
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
        ["SampleApi:RateLimit:PermitLimit"] = "1000000",
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

/// <summary>A factory that allows two calls a minute per token.</summary>
public sealed class RateLimitedSampleApiFactory : SampleApiFactory
{
    protected override IReadOnlyDictionary<string, string> Settings { get; } = new Dictionary<string, string>
    {
        ["SampleApi:RateLimit:PermitLimit"] = "2",
        ["SampleApi:RateLimit:WindowSeconds"] = "60",
    };
}
