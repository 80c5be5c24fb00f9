using System.Collections.Concurrent;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Defender.SampleApi.Clients.Tests.Infrastructure;

/// <summary>
/// The sample twice on Kestrel at 127.0.0.1 (free ports), as the generated clients meet it: one as configured for a newcomer,
/// one that allows a single call per token per hour, so that the second call of any client is a 429 with Retry-After.
/// </summary>
public sealed class SampleServers : IAsyncLifetime
{
    /// <summary>A seeded machine (SeedData.IsolatedWindowsId).</summary>
    public const string MachineId = "188f657e6e881ed9209b8867ebe514e532a664ca";

    public const string MissingMachineId = "0000000000000000000000000000000000000000";

    public KestrelSample Api { get; private set; } = null!;

    public KestrelSample RateLimitedApi { get; private set; } = null!;

    public Task InitializeAsync()
    {
        Api = KestrelSample.Start(new Dictionary<string, string> { ["SampleApi:RateLimits:Enabled"] = "false" });
        RateLimitedApi = KestrelSample.Start(new Dictionary<string, string>
        {
            ["SampleApi:RateLimits:PerMinute"] = "1",
            ["SampleApi:RateLimits:PerHour"] = "1",
        });
        return Task.CompletedTask;
    }

    /// <summary>The served document at <paramref name="path"/>, saved to a file for the tools that read files.</summary>
    public async Task<string> SaveDocumentAsync(string path, string directory)
    {
        using var http = new HttpClient();
        var json = await http.GetStringAsync(Api.Address + path);
        var file = Path.Combine(directory, Path.GetFileName(path));
        await File.WriteAllTextAsync(file, json);
        return file;
    }

    public async Task DisposeAsync()
    {
        await Api.DisposeAsync();
        await RateLimitedApi.DisposeAsync();
        GeneratedCSharp.DeleteAll();
    }

    /// <summary>Asserts that each target was written to one of the servers' logs exactly once (the envelope's promise).</summary>
    public void AssertLogged(IEnumerable<string> targets)
    {
        foreach (var target in targets)
        {
            var lines = Api.Logs.Concat(RateLimitedApi.Logs).Count(line => line.Contains(target, StringComparison.Ordinal));
            Assert.True(lines == 1, $"target {target} is in {lines} log lines, expected 1");
        }
    }
}

public sealed class KestrelSample : WebApplicationFactory<Program>
{
    private readonly IReadOnlyDictionary<string, string> _settings;
    private readonly ConcurrentQueue<string> _logs = new();

    private KestrelSample(IReadOnlyDictionary<string, string> settings)
    {
        _settings = settings;
        UseKestrel();
    }

    /// <summary>The base address, e.g. <c>http://127.0.0.1:41234</c> (no trailing slash).</summary>
    public string Address { get; private set; } = "";

    public IReadOnlyCollection<string> Logs => _logs;

    public static KestrelSample Start(IReadOnlyDictionary<string, string> settings, string? corsOrigin = null)
    {
        var sample = new KestrelSample(corsOrigin is null ? settings : new Dictionary<string, string>(settings) { ["SampleApi:Cors:Origins:0"] = corsOrigin });
        sample.StartServer();
        sample.Address = sample.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single().TrimEnd('/');
        return sample;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("urls", "http://127.0.0.1:0");
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }

        builder.ConfigureLogging(logging => logging.ClearProviders().AddProvider(new QueueLoggerProvider(_logs)));
    }

    private sealed class QueueLoggerProvider(ConcurrentQueue<string> lines) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new QueueLogger(lines);

        public void Dispose()
        {
        }
    }

    private sealed class QueueLogger(ConcurrentQueue<string> lines) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            lines.Enqueue(formatter(state, exception));
    }
}

[CollectionDefinition(Name)]
public sealed class SampleServersGroup : ICollectionFixture<SampleServers>
{
    public const string Name = "Sample servers";
}
