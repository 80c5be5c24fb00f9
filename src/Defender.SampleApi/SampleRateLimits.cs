using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;

namespace Defender.SampleApi;

/// <summary>
/// Defender's throttling: a fixed window per token (per client address for requests without a valid one) on <c>/api</c>.
/// A rejection is a bodiless 429 with <c>Retry-After</c>, which the error middleware answers with TooManyRequests.
/// </summary>
internal static class SampleRateLimits
{
    /// <summary>Reads <c>PermitLimit</c> (default 100) and <c>WindowSeconds</c> (default 60) from <paramref name="section"/>.</summary>
    public static void Configure(RateLimiterOptions options, IConfiguration section)
    {
        var permitLimit = section.GetValue("PermitLimit", 100);
        var window = TimeSpan.FromSeconds(section.GetValue("WindowSeconds", 60));
        var limits = new FixedWindowRateLimiterOptions { PermitLimit = permitLimit, Window = window, QueueLimit = 0 };

        options.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
        options.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context =>
            !context.Request.Path.StartsWithSegments("/api")
                ? RateLimitPartition.GetNoLimiter("documents")
                : RateLimitPartition.GetFixedWindowLimiter(PartitionKey(context), _ => limits));
        options.OnRejected = (context, _) =>
        {
            var retryAfter = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : window;
            context.HttpContext.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
            return ValueTask.CompletedTask;
        };
    }

    // Unknown tokens share their address's window, so inventing tokens does not buy more calls.
    private static string PartitionKey(HttpContext context) =>
        context.User.Identity is { IsAuthenticated: true, Name: { } token }
            ? "token:" + token
            : "address:" + context.Connection.RemoteIpAddress;
}
