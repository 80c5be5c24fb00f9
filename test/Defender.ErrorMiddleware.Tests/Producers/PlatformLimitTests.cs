using System.Net;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.DependencyInjection;

namespace Defender.ErrorMiddleware.Tests.Producers;

/// <summary>
/// The framework's own limits answer bodiless statuses, which get the envelope like any other: request timeouts' 504 and the
/// rate limiter's 429. In every layout, over Kestrel.
/// </summary>
public sealed class PlatformLimitTests
{
    [Theory]
    [MemberData(nameof(ProducerLayouts.All), MemberType = typeof(ProducerLayouts))]
    public async Task RequestTimeout_Answers504Envelope(string layout)
    {
        await using var app = await ProducerLayouts.StartAsync(
            layout,
            app => app.MapGet("/slow", async (HttpContext context) =>
            {
                await Task.Delay(Timeout.Infinite, context.RequestAborted);
                return Results.Ok();
            }).WithRequestTimeout(TimeSpan.FromMilliseconds(200)),
            services => services.AddRequestTimeouts(),
            app => app.UseRequestTimeouts());

        var response = await app.Client.GetAsync("/slow");

        // The timeouts middleware clears the response (the app middleware's header too) before it sets 504.
        await app.AssertErrorLoggedOnceAsync(response, HttpStatusCode.GatewayTimeout, "InternalServerError", "");
    }

    [Theory]
    [MemberData(nameof(ProducerLayouts.All), MemberType = typeof(ProducerLayouts))]
    public async Task RateLimiterRejection_Answers429Envelope(string layout)
    {
        await using var app = await ProducerLayouts.StartAsync(
            layout,
            app => app.MapGet("/limited", () => "ok").RequireRateLimiting("one"),
            services => services.AddRateLimiter(o =>
            {
                o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
                o.AddFixedWindowLimiter("one", w =>
                {
                    w.PermitLimit = 1;
                    w.Window = TimeSpan.FromHours(1);
                    w.QueueLimit = 0;
                    w.QueueProcessingOrder = QueueProcessingOrder.OldestFirst;
                });
            }),
            app => app.UseRateLimiter());

        Assert.Equal(HttpStatusCode.OK, (await app.Client.GetAsync("/limited")).StatusCode);
        var response = await app.Client.GetAsync("/limited");

        await app.AssertErrorLoggedOnceAsync(response, HttpStatusCode.TooManyRequests, "TooManyRequests",
            "Too many requests. Retry after the time the Retry-After header gives.");
        ProducerLayouts.AssertLayoutRan(layout, response);
    }
}
