using System.Diagnostics;
using System.Globalization;
using StackExchange.Redis;

namespace Defender.SampleApi.Fleet;

/// <summary>
/// The connection to the Redis server a fleet counts its rate-limit windows in (<c>SampleApi:Redis</c>, a StackExchange.Redis
/// configuration string), and the one script that counts them.
/// </summary>
/// <remarks>
/// RedisRateLimiting (the library made for ASP.NET Core's limiter) was read and not used: its fixed window is one window per
/// limiter, so Defender's minute and hour windows would be two limiters chained, and a call the hour window refuses would still
/// have used a permit of the minute window (and the other way round); it reads the wall clock, at one-second resolution, so a
/// test cannot move time; and a Redis failure leaves it as an exception, which the middleware would answer with a 500.
/// </remarks>
internal sealed partial class RedisWindowStore : IAsyncDisposable
{
    // KEYS: one hash per window ("end" in app-clock milliseconds, "used"). ARGV: now, permits, then limit and length per window.
    // Returns -1 when every window had room (and took the permits), or the milliseconds until the last refusing window closes.
    private const string AcquireScript = """
        local now = tonumber(ARGV[1])
        local permits = tonumber(ARGV[2])
        local wait = -1
        for i = 1, #KEYS do
          local limit = tonumber(ARGV[1 + 2 * i])
          local length = tonumber(ARGV[2 + 2 * i])
          local window = redis.call('HMGET', KEYS[i], 'end', 'used')
          local ends = tonumber(window[1])
          local used = 0
          if ends and ends > now then used = tonumber(window[2]) or 0 else ends = now + length end
          if used + permits > limit and ends - now > wait then wait = ends - now end
        end
        if wait >= 0 then return wait end
        for i = 1, #KEYS do
          local length = tonumber(ARGV[2 + 2 * i])
          local ends = tonumber(redis.call('HGET', KEYS[i], 'end'))
          if ends and ends > now then
            redis.call('HINCRBY', KEYS[i], 'used', permits)
          else
            redis.call('HSET', KEYS[i], 'end', now + length, 'used', permits)
            redis.call('PEXPIRE', KEYS[i], length + 1000)
          end
        end
        return -1
        """;

    private readonly Task<ConnectionMultiplexer> _connection;
    private readonly string _endpoints;
    private readonly ILogger<RedisWindowStore> _logger;
    private int _unavailable;
    private long _retryAt;

    public RedisWindowStore(string configuration, ILogger<RedisWindowStore> logger)
    {
        var options = Options(configuration);
        _endpoints = string.Join(",", options.EndPoints.Select(e => e.ToString()));
        _logger = logger;
        _connection = ConnectionMultiplexer.ConnectAsync(options);
    }

    /// <summary>
    /// The configuration string with the sample's defaults under it: a request never waits on Redis for long (1 s to connect,
    /// 1 s per command; the string may say otherwise), commands fail at once while the connection is down instead of queueing,
    /// and a server that is away at start is reconnected to in the background.
    /// </summary>
    public static ConfigurationOptions Options(string configuration)
    {
        var options = ConfigurationOptions.Parse("connectTimeout=1000,syncTimeout=1000,asyncTimeout=1000," + configuration);
        options.AbortOnConnectFail = false;
        options.BacklogPolicy = BacklogPolicy.FailFast;
        options.ReconnectRetryPolicy = new LinearRetry(500);
        return options;
    }

    /// <summary>The key of one window of a partition; the hash tag keeps a partition's windows in one cluster slot.</summary>
    public static RedisKey Key(string partition, TimeSpan length) =>
        string.Create(CultureInfo.InvariantCulture, $"defender-sample:ratelimit:{{{partition}}}:{(long)length.TotalSeconds}");

    public static bool IsUnavailable(Exception exception) => exception is RedisException or TimeoutException or ObjectDisposedException;

    /// <summary>Takes the permits from every window, or from none and says how long until the refusing window reopens.</summary>
    public async Task<TimeSpan?> AcquireAsync(RedisKey[] keys, RedisValue[] arguments)
    {
        var connection = await _connection;
        var wait = (long)await connection.GetDatabase().ScriptEvaluateAsync(AcquireScript, keys, arguments);
        if (Interlocked.Exchange(ref _unavailable, 0) == 1)
        {
            LogAvailable(_endpoints);
        }

        return wait < 0 ? null : TimeSpan.FromMilliseconds(wait);
    }

    /// <summary>
    /// True for <see cref="Rest"/> after Redis failed: calls count in memory without asking it, so a server that hangs costs one
    /// call the command timeout, not every call. Measured on the real clock, whatever clock the windows read.
    /// </summary>
    public bool Resting => Volatile.Read(ref _unavailable) == 1 && Stopwatch.GetTimestamp() < Volatile.Read(ref _retryAt);

    /// <summary>How long the limiter leaves Redis alone after a failure before it asks again.</summary>
    public static TimeSpan Rest { get; } = TimeSpan.FromSeconds(2);

    /// <summary>Logs, once until Redis answers again, that this instance counts in its own memory.</summary>
    public void ReportUnavailable(Exception exception)
    {
        Volatile.Write(ref _retryAt, Stopwatch.GetTimestamp() + (long)(Rest.TotalSeconds * Stopwatch.Frequency));
        if (Interlocked.Exchange(ref _unavailable, 1) == 0)
        {
            LogUnavailable(exception, _endpoints);
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await (await _connection.ConfigureAwait(false)).DisposeAsync().ConfigureAwait(false);
        }
        catch (Exception e) when (IsUnavailable(e))
        {
            // Never connected: nothing to close.
        }
    }

    [LoggerMessage(EventId = 1, EventName = "RedisUnavailable", Level = LogLevel.Warning,
        Message = "Redis ({Endpoints}) does not answer: rate limits are counted in this instance's memory until it does.")]
    private partial void LogUnavailable(Exception exception, string endpoints);

    [LoggerMessage(EventId = 2, EventName = "RedisAvailable", Level = LogLevel.Information,
        Message = "Redis ({Endpoints}) answers again: rate limits are counted in Redis.")]
    private partial void LogAvailable(string endpoints);
}
