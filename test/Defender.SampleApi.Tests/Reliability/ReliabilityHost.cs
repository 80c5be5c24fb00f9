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

    public StructuredLogs Logs { get; } = new();

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

/// <summary>One captured log call: its category, level, event, formatted text, exception and structured fields.</summary>
public sealed record LogRecord(
    string Category, LogLevel Level, EventId EventId, string Message, Exception? Exception, IReadOnlyList<KeyValuePair<string, object?>> Fields)
{
    public object? Field(string name) => Fields.FirstOrDefault(f => f.Key == name).Value;

    public Guid? Target => Field("Target") as Guid?;
}

/// <summary>Captures every log call (after the configured level filters) with its structured fields.</summary>
public sealed class StructuredLogs : ILoggerProvider
{
    public const string MiddlewareCategory = "Defender.ErrorMiddleware";

    private readonly ConcurrentQueue<LogRecord> _records = new();

    public IReadOnlyCollection<LogRecord> Records => _records;

    public void Clear() => _records.Clear();

    public ILogger CreateLogger(string categoryName) => new Logger(categoryName, _records);

    public void Dispose()
    {
    }

    private sealed class Logger(string category, ConcurrentQueue<LogRecord> records) : ILogger
    {
        private static readonly IReadOnlyList<KeyValuePair<string, object?>> NoFields = [];

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var fields = state is IReadOnlyList<KeyValuePair<string, object?>> list ? [.. list] : NoFields;
            records.Enqueue(new LogRecord(category, logLevel, eventId, formatter(state, exception), exception, fields));
        }
    }
}
