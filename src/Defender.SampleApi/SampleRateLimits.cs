using System.Globalization;
using System.Threading.RateLimiting;
using Defender.SampleApi.Endpoints;
using Microsoft.AspNetCore.RateLimiting;

namespace Defender.SampleApi;

/// <summary>
/// Defender's throttling, on ASP.NET Core's rate limiting middleware: per caller (the token; the client address for requests
/// without a valid one) and route, a minute window and an hour window, counted together. A rejection is a bodiless 429 with
/// <c>Retry-After</c> in seconds, which the error middleware answers with TooManyRequests.
/// </summary>
/// <remarks>
/// The windows are counted in this instance's memory (<see cref="TimeWindowRateLimiter"/>), or in Redis when
/// <c>SampleApi:Redis</c> is set, so a fleet shares them (<see cref="Fleet.RedisWindowRateLimiter"/>). Both read the app's
/// <see cref="TimeProvider"/>, so tests can move time.
/// </remarks>
internal static class SampleRateLimits
{
    /// <summary>The code registered by the error middleware for 429.</summary>
    public const string TooManyRequests = "TooManyRequests";

    /// <summary>The anonymous download route: a valid link is limited per link, anything else per client address.</summary>
    public const string DownloadRoute = "DownloadLiveResponseResult";

    /// <summary>The section the first version of the sample documented (<c>SampleApi:RateLimit</c>), read as an alias.</summary>
    public const string LegacySection = "RateLimit";

    /// <summary>Defender's documented exceptions to 100 a minute and 1,500 an hour, by route name.</summary>
    public static readonly IReadOnlyDictionary<string, (int? PerMinute, int? PerHour)> DocumentedRoutes = new Dictionary<string, (int?, int?)>
    {
        ["RunLiveResponse"] = (10, null),
        ["ImportIndicators"] = (30, null),
    };

    /// <summary>
    /// Reads <c>RateLimits:Enabled</c>, <c>PerMinute</c>, <c>PerHour</c> and <c>Routes:&lt;route name&gt;:PerMinute|PerHour</c> (0 or
    /// empty: no such window) from the sample's section, and the first version's <c>RateLimit:PermitLimit</c> and
    /// <c>WindowSeconds</c> as aliases (<see cref="ReadDefaultWindow"/>); the defaults are Defender's. Each partition's windows
    /// are counted by the limiter <paramref name="windowLimiter"/> makes.
    /// </summary>
    public static void Configure(RateLimiterOptions options, IConfiguration sample, Func<string, IReadOnlyList<RateWindow>, RateLimiter> windowLimiter)
    {
        options.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
        options.OnRejected = (context, _) =>
        {
            var retryAfter = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromMinutes(1);
            context.HttpContext.Response.Headers.RetryAfter = RetryAfterSeconds(retryAfter);
            return ValueTask.CompletedTask;
        };
        var section = sample.GetSection(nameof(SampleApiOptions.RateLimits));
        if (!section.GetValue(nameof(RateLimitOptions.Enabled), true))
        {
            return;
        }

        var (perMinute, shortWindow) = ReadDefaultWindow(sample);
        var perHour = section.GetValue(nameof(RateLimitOptions.PerHour), new RateLimitOptions().PerHour);
        var routes = section.GetSection("Routes");

        List<RateWindow> WindowsOf(string route)
        {
            var documented = DocumentedRoutes.TryGetValue(route, out var own);
            var configured = routes.GetSection(route);
            List<RateWindow> windows = [];
            if (Positive(configured, "PerMinute", documented ? own.PerMinute : perMinute) is { } minute)
            {
                windows.Add(new RateWindow(minute, documented ? TimeSpan.FromMinutes(1) : shortWindow));
            }

            if (Positive(configured, "PerHour", documented ? own.PerHour : perHour) is { } hour)
            {
                windows.Add(new RateWindow(hour, TimeSpan.FromHours(1)));
            }

            return windows;
        }

        options.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context =>
        {
            if (!context.Request.Path.StartsWithSegments("/api"))
            {
                return RateLimitPartition.GetNoLimiter("documents");
            }

            var route = context.GetEndpoint()?.Metadata.GetMetadata<IEndpointNameMetadata>()?.EndpointName ?? "unrouted";
            var windows = WindowsOf(route);
            return windows.Count == 0
                ? RateLimitPartition.GetNoLimiter(route)
                : RateLimitPartition.Get(Caller(context, route) + "|" + route, partition => windowLimiter(partition, windows));
        });
    }

    /// <summary>
    /// The calls every route without a documented limit of its own may make in its short window, and that window's length:
    /// <c>RateLimits:PerMinute</c> (default 100) over a minute, or the first version's keys <c>RateLimit:PermitLimit</c> and
    /// <c>RateLimit:WindowSeconds</c> (one window per token; here per token and route) that scripts may still set. Both at
    /// once is refused, naming the keys, rather than one of them silently ignored.
    /// </summary>
    public static (int? PerMinute, TimeSpan Length) ReadDefaultWindow(IConfiguration sample)
    {
        var legacy = sample.GetSection(LegacySection);
        var perMinuteKey = ConfigurationPath.Combine(nameof(SampleApiOptions.RateLimits), nameof(RateLimitOptions.PerMinute));
        var current = sample.GetSection(nameof(SampleApiOptions.RateLimits)).GetSection(nameof(RateLimitOptions.PerMinute));
        var permitLimit = legacy.GetSection("PermitLimit");
        var windowSeconds = legacy.GetSection("WindowSeconds");
        if (permitLimit.Value is null && windowSeconds.Value is null)
        {
            return (Positive(sample.GetSection(nameof(SampleApiOptions.RateLimits)), nameof(RateLimitOptions.PerMinute), new RateLimitOptions().PerMinute),
                TimeSpan.FromMinutes(1));
        }

        if (current.Value is not null)
        {
            throw new InvalidOperationException(
                $"SampleApi:{LegacySection}:PermitLimit/WindowSeconds (the first version's keys) and SampleApi:{perMinuteKey} are both set; "
                + $"keep SampleApi:{perMinuteKey} (calls a minute per token and route) and remove SampleApi:{LegacySection}.");
        }

        var seconds = windowSeconds.Value is null ? 60 : Number(windowSeconds);
        if (seconds <= 0)
        {
            throw new InvalidOperationException(
                $"SampleApi:{LegacySection}:WindowSeconds must be a whole number of seconds above 0 (it is the length of the window "
                + $"SampleApi:{LegacySection}:PermitLimit counts); the current keys are SampleApi:{perMinuteKey} and SampleApi:RateLimits:PerHour.");
        }

        var permits = permitLimit.Value is null ? new RateLimitOptions().PerMinute : Number(permitLimit);
        return (permits > 0 ? permits : null, TimeSpan.FromSeconds(seconds));
    }

    /// <summary>Whole seconds, rounded up and at least 1, as <c>Retry-After</c> takes them.</summary>
    public static string RetryAfterSeconds(TimeSpan wait) =>
        Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)).ToString(CultureInfo.InvariantCulture);

    private static int Number(IConfigurationSection key) =>
        int.TryParse(key.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new InvalidOperationException($"SampleApi:{LegacySection}:{key.Key} must be a whole number; it is '{key.Value}'.");

    private static int? Positive(IConfiguration section, string key, int? fallback) =>
        section[key] is { } text ? (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value > 0 ? value : null) : fallback;

    // Unknown tokens share their address's window, so inventing tokens does not buy more calls. The anonymous download link
    // is limited per link once its signature checks out (before the limiter), so forged links only use up their sender's
    // address window and never the window of a link the service gave.
    private static string Caller(HttpContext context, string route)
    {
        if (route == DownloadRoute && context.RequestServices.GetRequiredService<LiveResponseResults>().SignedLink(context.Request) is { } link)
        {
            return "link:" + link;
        }

        return context.User.Identity is { IsAuthenticated: true, Name: { } token }
            ? "token:" + token
            : "address:" + context.Connection.RemoteIpAddress;
    }
}

/// <summary>One fixed window: at most <paramref name="PermitLimit"/> calls in <paramref name="Length"/>, opened by its first call.</summary>
internal readonly record struct RateWindow(int PermitLimit, TimeSpan Length);

/// <summary>
/// Fixed windows (a minute and an hour) that open at their first call and count against <see cref="TimeProvider"/>; a call
/// takes a permit from every window or from none, so a throttled call never uses up another window's permits.
/// System.Threading.RateLimiting's FixedWindowRateLimiter measures time with Stopwatch, which a test cannot move, and chaining two
/// of them spends the first window's permit when the second refuses (the middleware tries twice); this is the same contract on
/// the app's clock, atomic across its windows.
/// </summary>
internal sealed class TimeWindowRateLimiter(IReadOnlyList<RateWindow> windows, TimeProvider time) : RateLimiter
{
    public static readonly RateLimitLease Acquired = new Lease(true, null);

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

    /// <summary>A refusal that says when the window that refused reopens.</summary>
    public static RateLimitLease Refused(TimeSpan retryAfter) => new Lease(false, retryAfter);

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
