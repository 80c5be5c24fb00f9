using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;

namespace Defender.SampleApi;

/// <summary>
/// Defender's throttling, on ASP.NET Core's rate limiting middleware: per caller (the token; the client address for requests
/// without a valid one) and route, a minute window and an hour window, counted together. A rejection is a bodiless 429 with
/// <c>Retry-After</c> in seconds, which the error middleware answers with TooManyRequests.
/// </summary>
/// <remarks>
/// The windows are counted in memory, per instance: behind a load balancer each instance counts its own calls (see
/// docs/sample.md for what a fleet uses instead). They read the app's <see cref="TimeProvider"/>, so tests can move time.
/// </remarks>
internal static class SampleRateLimits
{
    /// <summary>The code registered by the error middleware for 429.</summary>
    public const string TooManyRequests = "TooManyRequests";

    /// <summary>Defender's documented exceptions to 100 a minute and 1,500 an hour, by route name.</summary>
    public static readonly IReadOnlyDictionary<string, (int? PerMinute, int? PerHour)> DocumentedRoutes = new Dictionary<string, (int?, int?)>
    {
        ["RunLiveResponse"] = (10, null),
        ["ImportIndicators"] = (30, null),
    };

    /// <summary>
    /// Reads <c>Enabled</c>, <c>PerMinute</c>, <c>PerHour</c> and <c>Routes:&lt;route name&gt;:PerMinute|PerHour</c> (0 or empty: no
    /// such window) from <paramref name="section"/>; the defaults are Defender's.
    /// </summary>
    public static void Configure(RateLimiterOptions options, IConfiguration section, TimeProvider time)
    {
        options.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
        options.OnRejected = (context, _) =>
        {
            var retryAfter = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromMinutes(1);
            context.HttpContext.Response.Headers.RetryAfter = RetryAfterSeconds(retryAfter);
            return ValueTask.CompletedTask;
        };
        if (!section.GetValue(nameof(RateLimitOptions.Enabled), true))
        {
            return;
        }

        var defaults = new RateLimitOptions();
        var perMinute = section.GetValue(nameof(RateLimitOptions.PerMinute), defaults.PerMinute);
        var perHour = section.GetValue(nameof(RateLimitOptions.PerHour), defaults.PerHour);
        var routes = section.GetSection("Routes");

        (int? PerMinute, int? PerHour) LimitsOf(string route)
        {
            var (minute, hour) = DocumentedRoutes.TryGetValue(route, out var documented) ? documented : (perMinute, perHour);
            var configured = routes.GetSection(route);
            return (Positive(configured, "PerMinute", minute), Positive(configured, "PerHour", hour));
        }

        options.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context =>
        {
            if (!context.Request.Path.StartsWithSegments("/api"))
            {
                return RateLimitPartition.GetNoLimiter("documents");
            }

            var route = context.GetEndpoint()?.Metadata.GetMetadata<IEndpointNameMetadata>()?.EndpointName ?? "unrouted";
            var (minute, hour) = LimitsOf(route);
            List<(int, TimeSpan)> windows = [];
            if (minute is { } m)
            {
                windows.Add((m, TimeSpan.FromMinutes(1)));
            }

            if (hour is { } h)
            {
                windows.Add((h, TimeSpan.FromHours(1)));
            }

            return windows.Count == 0
                ? RateLimitPartition.GetNoLimiter(route)
                : RateLimitPartition.Get(Caller(context) + "|" + route, _ => new TimeWindowRateLimiter(windows, time));
        });
    }

    /// <summary>Whole seconds, rounded up and at least 1, as <c>Retry-After</c> takes them.</summary>
    public static string RetryAfterSeconds(TimeSpan wait) =>
        Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)).ToString(CultureInfo.InvariantCulture);

    private static int? Positive(IConfiguration section, string key, int? fallback) =>
        section[key] is { } text ? (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value > 0 ? value : null) : fallback;

    // Unknown tokens share their address's window, so inventing tokens does not buy more calls.
    private static string Caller(HttpContext context) =>
        context.User.Identity is { IsAuthenticated: true, Name: { } token }
            ? "token:" + token
            : "address:" + context.Connection.RemoteIpAddress;
}

/// <summary>
/// Fixed windows (a minute and an hour) that open at their first call and count against <see cref="TimeProvider"/>; a call
/// takes a permit from every window or from none, so a throttled call never uses up another window's permits.
/// System.Threading.RateLimiting's FixedWindowRateLimiter measures time with Stopwatch, which a test cannot move, and chaining two
/// of them spends the first window's permit when the second refuses (the middleware tries twice); this is the same contract on
/// the app's clock, atomic across its windows.
/// </summary>
internal sealed class TimeWindowRateLimiter(IReadOnlyList<(int PermitLimit, TimeSpan Length)> windows, TimeProvider time) : RateLimiter
{
    private static readonly RateLimitLease Acquired = new Lease(true, null);

    private readonly Lock _lock = new();
    private readonly Window[] _windows = [.. windows.Select(w => new Window(w.PermitLimit, w.Length))];

    public override TimeSpan? IdleDuration
    {
        get
        {
            lock (_lock)
            {
                // Idle (and so removable by the partitioned limiter) only once every window has closed.
                var now = time.GetUtcNow();
                var lastEnd = _windows.Max(w => w.End);
                return now >= lastEnd ? (lastEnd == DateTimeOffset.MinValue ? TimeSpan.Zero : now - lastEnd) : null;
            }
        }
    }

    public override RateLimiterStatistics? GetStatistics()
    {
        lock (_lock)
        {
            var now = time.GetUtcNow();
            return new RateLimiterStatistics { CurrentAvailablePermits = _windows.Min(w => w.PermitLimit - w.Used(now)) };
        }
    }

    protected override RateLimitLease AttemptAcquireCore(int permitCount)
    {
        lock (_lock)
        {
            var now = time.GetUtcNow();
            TimeSpan? retryAfter = null;
            foreach (var window in _windows)
            {
                if (window.Used(now) + permitCount > window.PermitLimit)
                {
                    var wait = window.End - now;
                    retryAfter = retryAfter is { } other && other > wait ? other : wait;
                }
            }

            if (retryAfter is not null)
            {
                return new Lease(false, retryAfter);
            }

            foreach (var window in _windows)
            {
                window.Take(now, permitCount);
            }

            return Acquired;
        }
    }

    protected override ValueTask<RateLimitLease> AcquireAsyncCore(int permitCount, CancellationToken cancellationToken) =>
        new(AttemptAcquireCore(permitCount));

    private sealed class Window(int permitLimit, TimeSpan length)
    {
        private DateTimeOffset _start = DateTimeOffset.MinValue;
        private int _used;

        public int PermitLimit => permitLimit;

        public DateTimeOffset End => _start == DateTimeOffset.MinValue ? DateTimeOffset.MinValue : _start + length;

        public int Used(DateTimeOffset now) => now >= End ? 0 : _used;

        public void Take(DateTimeOffset now, int permits)
        {
            if (Used(now) == 0)
            {
                _start = now;
                _used = 0;
            }

            _used += permits;
        }
    }

    private sealed class Lease(bool isAcquired, TimeSpan? retryAfter) : RateLimitLease
    {
        public override bool IsAcquired => isAcquired;

        public override IEnumerable<string> MetadataNames => retryAfter is null ? [] : [MetadataName.RetryAfter.Name];

        public override bool TryGetMetadata(string metadataName, out object? metadata)
        {
            metadata = retryAfter;
            return retryAfter is not null && metadataName == MetadataName.RetryAfter.Name;
        }
    }
}
