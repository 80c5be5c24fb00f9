using System.Collections.Concurrent;
using System.Net.Http.Headers;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Defender.SampleApi.Tests.Reliability;

/// <summary>
/// The reliability tests measure time and memory, so they run alone: after every parallel collection, one test at a time.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ReliabilityGroup
{
    public const string Name = "Reliability";
}

/// <summary>
/// The sample exactly as it ships, hosted on TestServer (throughput) or on Kestrel at 127.0.0.1 (real sockets), with the fault
/// endpoint on, the rate limit lifted unless a test sets one, and every log line captured with its structured fields.
/// The console provider is removed: thousands of warning lines would cost more than the requests themselves.
/// </summary>
public sealed class ReliabilityHost : WebApplicationFactory<Program>
{
    private readonly bool _kestrel;
    private readonly Dictionary<string, string> _settings;
    private readonly Action<IServiceCollection>? _services;
    private readonly Action<ILoggingBuilder>? _logging;
    private readonly string _environment;

    public ReliabilityHost(
        bool kestrel = false,
        IReadOnlyDictionary<string, string>? settings = null,
        Action<IServiceCollection>? services = null,
        Action<ILoggingBuilder>? logging = null,
        string environment = "Development")
    {
        _kestrel = kestrel;
        _services = services;
        _logging = logging;
        _environment = environment;
        _settings = new Dictionary<string, string>
        {
            ["SampleApi:EnableFaultEndpoint"] = "true",
            ["SampleApi:RateLimits:Enabled"] = "false",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            _settings[key] = value;
        }

        if (kestrel)
        {
            UseKestrel();
        }
    }

    public LogCapture Logs { get; } = new();

    /// <summary>The Kestrel address (http://127.0.0.1:port) after <see cref="Start"/>.</summary>
    public Uri Address { get; private set; } = null!;

    /// <summary>Starts the server; on Kestrel also learns the port it bound.</summary>
    public ReliabilityHost Start()
    {
        if (_kestrel)
        {
            StartServer();
            var address = Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
            Address = new Uri(address);
        }
        else
        {
            _ = Server;
        }

        return this;
    }

    /// <summary>A client for this host: TestServer's handler, or a socket client to 127.0.0.1 with up to 64 connections.</summary>
    public HttpClient Client(string? token = "dev-admin")
    {
        HttpClient client;
        if (_kestrel)
        {
            var handler = new SocketsHttpHandler
            {
                MaxConnectionsPerServer = 64,
                PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
                AllowAutoRedirect = false,
                UseCookies = false,
            };
            client = new HttpClient(handler) { BaseAddress = Address, Timeout = TimeSpan.FromSeconds(60) };
        }
        else
        {
            client = CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false });
        }

        if (token is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return client;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment(_environment);
        if (_kestrel)
        {
            // Loopback only, a free port; also keeps Program from falling back to localhost:5080.
            builder.UseSetting("urls", "http://127.0.0.1:0");
        }

        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }

        builder.ConfigureLogging(logging =>
        {
            logging.ClearProviders();
            logging.AddProvider(Logs);
            _logging?.Invoke(logging);
        });
        if (_services is not null)
        {
            builder.ConfigureTestServices(_services);
        }
    }
}
