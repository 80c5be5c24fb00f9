using System.Threading.RateLimiting;
using StackExchange.Redis;

namespace Defender.SampleApi.Fleet;

/// <summary>
/// A partition's windows (a minute and an hour, or one) counted in Redis, so every instance of a fleet counts the same calls.
/// One script checks every window and, only when all have room, takes a permit from each: atomic in Redis, so a refused call
/// uses no permit of any window, on any instance. Time is the app's <see cref="TimeProvider"/> (windows open at their first call,
/// as in <see cref="TimeWindowRateLimiter"/>); Redis only keeps each window until it has closed.
/// </summary>
/// <remarks>
/// When Redis does not answer (down, unreachable, slower than the client's timeouts), this partition falls back to a
/// <see cref="TimeWindowRateLimiter"/> in this instance's memory, so the sample stays up and still throttles each instance as a
/// single instance does; <see cref="RedisWindowStore"/> logs the change once, at Warning.
/// </remarks>
internal sealed class RedisWindowRateLimiter : RateLimiter
{
    // Refused without metadata: the rate limiting middleware tries AttemptAcquire first and then AcquireAsync, and only the
    // asynchronous call may go to Redis.
    private static readonly RateLimitLease TryAsync = new NotAcquired();

    private readonly RedisWindowStore _store;
    private readonly IReadOnlyList<RateWindow> _windows;
    private readonly TimeProvider _time;
    private readonly RedisKey[] _keys;
    private TimeWindowRateLimiter? _fallback;
    private long _lastUsed;
    private int _active;

    public RedisWindowRateLimiter(RedisWindowStore store, string partition, IReadOnlyList<RateWindow> windows, TimeProvider time)
    {
        _store = store;
        _windows = windows;
        _time = time;
        _lastUsed = time.GetTimestamp();
        _keys = [.. windows.Select(w => RedisWindowStore.Key(partition, w.Length))];
    }

    public override TimeSpan? IdleDuration
    {
        get
        {
            if (Volatile.Read(ref _active) > 0)
            {
                return null;
            }

            // The windows live in Redis: an idle partition can go, unless its fallback still holds an open window.
            return Volatile.Read(ref _fallback) is { } fallback ? fallback.IdleDuration : _time.GetElapsedTime(Volatile.Read(ref _lastUsed));
        }
    }

    public override RateLimiterStatistics? GetStatistics() => null;

    protected override RateLimitLease AttemptAcquireCore(int permitCount) => TryAsync;

    protected override async ValueTask<RateLimitLease> AcquireAsyncCore(int permitCount, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _active);
        try
        {
            if (_store.Resting)
            {
                return Fallback().AttemptAcquire(permitCount);
            }

            var wait = await _store.AcquireAsync(_keys, Arguments(permitCount));
            return wait is { } retryAfter ? TimeWindowRateLimiter.Refused(retryAfter) : TimeWindowRateLimiter.Acquired;
        }
        catch (Exception e) when (RedisWindowStore.IsUnavailable(e))
        {
            _store.ReportUnavailable(e);
            return Fallback().AttemptAcquire(permitCount);
        }
        finally
        {
            Volatile.Write(ref _lastUsed, _time.GetTimestamp());
            Interlocked.Decrement(ref _active);
        }
    }

    private TimeWindowRateLimiter Fallback() =>
        Volatile.Read(ref _fallback) ?? Interlocked.CompareExchange(ref _fallback, new TimeWindowRateLimiter(_windows, _time), null) ?? _fallback!;

    private RedisValue[] Arguments(int permitCount)
    {
        var arguments = new RedisValue[2 + (2 * _windows.Count)];
        arguments[0] = _time.GetUtcNow().ToUnixTimeMilliseconds();
        arguments[1] = permitCount;
        for (var i = 0; i < _windows.Count; i++)
        {
            arguments[2 + (2 * i)] = _windows[i].PermitLimit;
            arguments[3 + (2 * i)] = (long)_windows[i].Length.TotalMilliseconds;
        }

        return arguments;
    }

    private sealed class NotAcquired : RateLimitLease
    {
        public override bool IsAcquired => false;

        public override IEnumerable<string> MetadataNames => [];

        public override bool TryGetMetadata(string metadataName, out object? metadata)
        {
            metadata = null;
            return false;
        }
    }
}
