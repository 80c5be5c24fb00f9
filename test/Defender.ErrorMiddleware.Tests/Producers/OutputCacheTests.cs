using System.Net;
using Defender.ErrorMiddleware.Tests.Framework;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.OutputCaching;
using Microsoft.Extensions.DependencyInjection;

namespace Defender.ErrorMiddleware.Tests.Producers;

/// <summary>
/// An output-cache policy that stores any status (common for caching 404s) never replays an error: each caller gets a fresh
/// target and its own log line, and no <c>Age</c>. The success route shows the same policy does cache.
/// </summary>
public sealed class OutputCacheTests
{
    public static TheoryData<string, string, HttpStatusCode, string, string> Rows()
    {
        var data = new TheoryData<string, string, HttpStatusCode, string, string>();
        foreach (var name in ProducerLayouts.Names)
        {
            data.Add(name, "/returned", HttpStatusCode.NotFound, "ResourceNotFound", "Machine 7 was not found");
            data.Add(name, "/thrown", HttpStatusCode.NotFound, "ResourceNotFound", "Machine 7 was not found");
            data.Add(name, "/bodiless", HttpStatusCode.NotFound, "NotFound", "General Not Found error message.");
            data.Add(name, "/string-result", HttpStatusCode.Conflict, "BadRequest", "Action is already in progress");
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Rows))]
    public async Task ErrorResponse_IsNeverStored_EachCallerGetsItsOwnTarget(string layout, string path, HttpStatusCode status, string code, string message)
    {
        await using var app = await StartAsync(layout);

        var first = await app.Client.GetAsync(path);
        var firstTarget = await FrameworkApp.AssertErrorAsync(first, status, code, message);
        var second = await app.Client.GetAsync(path);
        var secondTarget = await FrameworkApp.AssertErrorAsync(second, status, code, message);

        Assert.NotEqual(firstTarget, secondTarget);
        Assert.Null(first.Headers.Age);
        Assert.Null(second.Headers.Age);
        var logged = app.Logs.FromDefender.Where(e => e.EventId.Id is 1 or 2).Select(e => e.Target!.Value).ToArray();
        Assert.Equal([firstTarget, secondTarget], logged);
        if (path != "/thrown")
        {
            // A thrown error's answer clears the response's headers, the app middleware's among them.
            ProducerLayouts.AssertLayoutRan(layout, second);
        }
    }

    [Theory]
    [MemberData(nameof(ProducerLayouts.All), MemberType = typeof(ProducerLayouts))]
    public async Task SuccessResponse_IsStoredByThePolicy(string layout)
    {
        await using var app = await StartAsync(layout);

        var first = await app.Client.GetStringAsync("/ok");
        var second = await app.Client.GetAsync("/ok");

        Assert.Equal(first, await second.Content.ReadAsStringAsync());
        Assert.NotNull(second.Headers.Age);
    }

    private static Task<FrameworkApp> StartAsync(string layout) => ProducerLayouts.StartAsync(
        layout,
        app =>
        {
            var cached = app.MapGroup(string.Empty).CacheOutput(policy => policy.AddPolicy<CacheEveryStatus>());
            var calls = 0;
            cached.MapGet("/ok", () => "call " + Interlocked.Increment(ref calls));
            cached.MapGet("/returned", () => DefenderResults.Error(DefenderError.ResourceNotFound("Machine", "7")));
            cached.MapGet("/thrown", IResult () => throw new DefenderException(DefenderError.ResourceNotFound("Machine", "7")));
            cached.MapGet("/bodiless", () => Results.NotFound());
            cached.MapGet("/string-result", () => TypedResults.Conflict("Action is already in progress"));
        },
        services => services.AddOutputCache(),
        app => app.UseOutputCache());

    /// <summary>Stores any response, whatever its status, and insists on it again once the response is written.</summary>
    private sealed class CacheEveryStatus : IOutputCachePolicy
    {
        public ValueTask CacheRequestAsync(OutputCacheContext context, CancellationToken cancellation)
        {
            context.EnableOutputCaching = true;
            context.AllowCacheLookup = true;
            context.AllowCacheStorage = true;
            context.AllowLocking = true;
            return ValueTask.CompletedTask;
        }

        public ValueTask ServeFromCacheAsync(OutputCacheContext context, CancellationToken cancellation) => ValueTask.CompletedTask;

        public ValueTask ServeResponseAsync(OutputCacheContext context, CancellationToken cancellation)
        {
            context.AllowCacheStorage = true;
            return ValueTask.CompletedTask;
        }
    }
}
