using System.Net.Http.Headers;
using Defender.ErrorMiddleware;
using Defender.SampleApi.Tests.Infrastructure;
using Defender.SampleApi.Tests.Reliability;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Npgsql;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.LoadBalancing;

namespace Defender.SampleApi.Tests.Fleet;

/// <summary>The fleet tests start servers and many requests: one at a time, beside the other collections.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class FleetGroup
{
    public const string Name = "Fleet";
}

/// <summary>
/// A fact that needs Debian's redis-server (started by the test itself) and, unless <see cref="RedisOnly"/>, the PostgreSQL
/// server <c>DEFENDER_SAMPLE_POSTGRES</c> names (as <c>.ci/run</c> starts it); without them it reports itself skipped and why.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class FleetFactAttribute : FactAttribute
{
    public FleetFactAttribute(bool redisOnly = false)
    {
        RedisOnly = redisOnly;
        if (RedisServer.Executable is null)
        {
            Skip = $"No redis-server: install Debian's redis-server (as .ci/run does) or set {RedisServer.EnvironmentVariable} to run the fleet tests.";
        }
        else if (!redisOnly && PostgresDataAttribute.ConnectionString is null)
        {
            Skip = $"No PostgreSQL server: set {PostgresDataAttribute.EnvironmentVariable} (as .ci/run does) to run the fleet tests on a shared database.";
        }
    }

    public bool RedisOnly { get; }
}

/// <summary>
/// Two instances of the sample on Kestrel at 127.0.0.1, on one Redis (started here) and, with <c>postgres</c>, one fresh
/// PostgreSQL database, behind a YARP gateway that balances round-robin and answers its own errors with UseDefenderErrors().
/// Both instances read one clock the test moves, and tag their responses with <c>X-Sample-Instance: A|B</c>.
/// </summary>
public sealed class FleetHarness : IAsyncDisposable
{
    public const string InstanceHeader = "X-Sample-Instance";

    private readonly string? _database;
    private readonly WebApplication _gateway;

    private FleetHarness(RedisServer redis, string? database, ReliabilityHost a, ReliabilityHost b, WebApplication gateway, LogCapture gatewayLogs, FakeTimeProvider time)
    {
        Redis = redis;
        _database = database;
        A = a;
        B = b;
        _gateway = gateway;
        GatewayLogs = gatewayLogs;
        Time = time;
        Gateway = new Uri(gateway.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single());
    }

    public RedisServer Redis { get; }

    public ReliabilityHost A { get; }

    public ReliabilityHost B { get; }

    public Uri Gateway { get; }

    public LogCapture GatewayLogs { get; }

    public FakeTimeProvider Time { get; }

    public static async Task<FleetHarness> StartAsync(bool postgres, IReadOnlyDictionary<string, string>? settings = null)
    {
        var redis = await RedisServer.StartAsync();
        var all = new Dictionary<string, string>
        {
            ["SampleApi:Redis"] = redis.Configuration,
            ["SampleApi:RateLimits:Enabled"] = "true",
        };
        string? database = null;
        if (postgres)
        {
            database = "defender_fleet_" + Guid.NewGuid().ToString("N");
            all["SampleApi:PostgresConnectionString"] = new NpgsqlConnectionStringBuilder(PostgresDataAttribute.ConnectionString) { Database = database }.ConnectionString;
        }

        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            all[key] = value;
        }

        var time = new FakeTimeProvider(FakeTimeSampleApiFactory.Start);
        ReliabilityHost Instance(string name) => new ReliabilityHost(kestrel: true, settings: all, services: s =>
        {
            s.AddSingleton<TimeProvider>(time);
            s.AddSingleton<IStartupFilter>(new InstanceTag(name));
        }).Start();

        // One after the other, as a deployment rolls out: the first creates and seeds the database and the key ring.
        var a = Instance("A");
        var b = Instance("B");
        var gatewayLogs = new LogCapture();
        var gateway = StartGateway(a.Address, b.Address, gatewayLogs);
        await gateway.StartAsync();
        return new FleetHarness(redis, database, a, b, gateway, gatewayLogs, time);
    }

    /// <summary>A client of the gateway (or of one instance), with a token unless <paramref name="token"/> is null.</summary>
    public HttpClient Client(string? token = "dev-admin", Uri? address = null)
    {
        var client = new HttpClient { BaseAddress = address ?? Gateway, Timeout = TimeSpan.FromSeconds(20) };
        if (token is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return client;
    }

    public static string InstanceOf(HttpResponseMessage response) =>
        response.Headers.TryGetValues(InstanceHeader, out var values) ? values.Single() : "gateway";

    /// <summary>The instance whose log holds this error target, or every one that does.</summary>
    public string[] LogsHolding(Guid target) =>
        [.. new[] { ("A", A.Logs), ("B", B.Logs), ("gateway", GatewayLogs) }
            .Where(l => l.Item2.FromDefender.Any(e => e.Target == target)).Select(l => l.Item1)];

    public async ValueTask DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await A.DisposeAsync();
        await B.DisposeAsync();
        await Redis.DisposeAsync();
        if (_database is not null)
        {
            await DatabaseSampleApiFactory.DropPostgresDatabaseAsync(PostgresDataAttribute.ConnectionString!, _database);
        }
    }

    private static WebApplication StartGateway(Uri a, Uri b, LogCapture logs)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Development" });
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders().AddProvider(logs);
        builder.Services.AddDefenderErrors();
        builder.Services.AddReverseProxy().LoadFromMemory(
            [new RouteConfig { RouteId = "sample", ClusterId = "fleet", Match = new RouteMatch { Path = "{**rest}" } }],
            [
                new ClusterConfig
                {
                    ClusterId = "fleet",
                    LoadBalancingPolicy = LoadBalancingPolicies.RoundRobin,
                    Destinations = new Dictionary<string, DestinationConfig>
                    {
                        ["A"] = new() { Address = a.ToString() },
                        ["B"] = new() { Address = b.ToString() },
                    },
                },
            ]);
        var gateway = builder.Build();
        gateway.UseDefenderErrors();
        gateway.MapReverseProxy();
        return gateway;
    }

    /// <summary>Says which instance answered, on every response, errors included.</summary>
    private sealed class InstanceTag(string name) : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use((context, following) =>
            {
                context.Response.OnStarting(() =>
                {
                    context.Response.Headers[InstanceHeader] = name;
                    return Task.CompletedTask;
                });
                return following(context);
            });
            next(app);
        };
    }
}
