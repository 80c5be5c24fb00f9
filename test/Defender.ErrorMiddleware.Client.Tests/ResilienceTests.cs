using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Defender.ErrorMiddleware.Catalog;
using Defender.ErrorMiddleware.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Logging;
using Polly.Timeout;

namespace Defender.ErrorMiddleware.Client.Tests;

/// <summary>
/// The client with a real <see cref="IHttpClientFactory"/> and the standard resilience handler, against Kestrel on 127.0.0.1 that
/// counts what it receives: in both registration orders, only transient errors are sent again, and a 429 waits its Retry-After.
/// </summary>
public sealed class ResilienceTests : IAsyncLifetime
{
    private readonly ConcurrentDictionary<string, int> _received = new(StringComparer.Ordinal);
    private WebApplication _app = null!;
    private string _address = null!;

    /// <summary>Which way round the two calls are written.</summary>
    public enum Order
    {
        ErrorsThenResilience,
        ResilienceThenErrors,
    }

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Services.AddDefenderErrors();
        _app = builder.Build();
        _app.Use((context, next) =>
        {
            _received.AddOrUpdate(context.Request.Method + " " + context.Request.Path, 1, (_, n) => n + 1);
            return next(context);
        });
        _app.UseDefenderErrors();

        // {run} keeps each test's counts apart.
        _app.MapGet("/{run}/missing", (string run) => DefenderResults.Error(DefenderError.ResourceNotFound("Machine", run)));
        _app.MapPost("/{run}/isolate", () => DefenderResults.Error(DefenderError.MissingRequiredParameter("Comment")));
        _app.MapPost("/{run}/conflict", () => Results.StatusCode(409));
        _app.MapGet("/{run}/throttled-once", (HttpContext context) => Throttle(context, "1", times: 1));
        _app.MapPost("/{run}/throttled-once", (HttpContext context) => Throttle(context, "1", times: 1));
        _app.MapGet("/{run}/throttled-long", (HttpContext context) => Throttle(context, "5", times: int.MaxValue));
        _app.MapGet("/{run}/unavailable-twice", (HttpContext context) =>
        {
            if (Count(context) <= 2)
            {
                context.Response.Headers.RetryAfter = "0";
                return Results.StatusCode(503);
            }

            return Results.Text("up");
        });
        await _app.StartAsync();
        _address = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Theory]
    [InlineData(Order.ErrorsThenResilience)]
    [InlineData(Order.ResilienceThenErrors)]
    public async Task NotFound_IsSentOnce_AndThrowsWithTarget(Order order)
    {
        using var services = Services(order);
        var run = Run();

        var exception = await Assert.ThrowsAsync<DefenderApiException>(() => Client(services).GetAsync(new Uri($"{run}/missing", UriKind.Relative)));

        Assert.Equal(1, Received("GET", $"/{run}/missing"));
        Assert.Equal(404, exception.Status);
        Assert.Equal("ResourceNotFound", exception.Code);
        Assert.Equal(DefenderErrorCode.ResourceNotFound, exception.KnownCode);
        Assert.NotNull(exception.Target);
        Assert.False(exception.IsRetryable);
        Assert.Equal(HttpMethod.Get, exception.Method);
        Assert.Equal(new Uri(new Uri(_address), $"/{run}/missing"), exception.RequestUri);
        Assert.Equal(["ResourceNotFound"], exception.Headers[DefenderErrorHeaders.ErrorCode]);
        Assert.Equal(["application/json; charset=utf-8"], exception.Headers["Content-Type"]);
    }

    [Theory]
    [InlineData(Order.ErrorsThenResilience)]
    [InlineData(Order.ResilienceThenErrors)]
    public async Task TooManyRequests_IsRetriedAfterItsRetryAfter(Order order)
    {
        using var services = Services(order);
        var run = Run();

        var clock = Stopwatch.StartNew();
        using var response = await Client(services).GetAsync(new Uri($"{run}/throttled-once", UriKind.Relative));
        clock.Stop();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(2, Received("GET", $"/{run}/throttled-once"));
        // Retry-After: 1, not the standard backoff (2 s base with jitter).
        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(0.95), TimeSpan.FromSeconds(2.5)); // slack for a CI run of every test project at once
    }

    [Theory]
    [InlineData(Order.ErrorsThenResilience)]
    [InlineData(Order.ResilienceThenErrors)]
    public async Task ServiceUnavailable_IsRetried_UntilItSucceeds(Order order)
    {
        using var services = Services(order);
        var run = Run();

        Assert.Equal("up", await Client(services).GetStringAsync(new Uri($"{run}/unavailable-twice", UriKind.Relative)));
        Assert.Equal(3, Received("GET", $"/{run}/unavailable-twice"));
    }

    [Theory]
    [InlineData(Order.ErrorsThenResilience, "isolate", 400, "MissingRequiredParameter")]
    [InlineData(Order.ResilienceThenErrors, "isolate", 400, "MissingRequiredParameter")]
    [InlineData(Order.ErrorsThenResilience, "conflict", 409, "BadRequest")]
    [InlineData(Order.ResilienceThenErrors, "conflict", 409, "BadRequest")]
    public async Task Post_IsNeverResent_OnAClientError(Order order, string action, int status, string code)
    {
        using var services = Services(order);
        var run = Run();

        using var content = new StringContent("""{"comment":"x"}""", System.Text.Encoding.UTF8, "application/json");
        var exception = await Assert.ThrowsAsync<DefenderApiException>(() => Client(services).PostAsync(new Uri($"{run}/{action}", UriKind.Relative), content));

        Assert.Equal(1, Received("POST", $"/{run}/{action}"));
        Assert.Equal(status, exception.Status);
        Assert.Equal(code, exception.Code);
        Assert.Equal(HttpMethod.Post, exception.Method);
    }

    [Fact]
    public async Task HandlerInsideThePipeline_WithDefenderRetries_JudgesTheExceptionByItsStatus()
    {
        // The order the issue found: the handler added by hand after the standard handler, so the pipeline sees the exception.
        var services = new ServiceCollection();
        services.AddHttpClient("api", c => c.BaseAddress = new Uri(_address))
            .AddStandardResilienceHandler(o => o.UseDefenderApiRetries()).Services.AddHttpClient("api")
            .AddHttpMessageHandler(() => new DefenderApiErrorHandler());
        using var provider = services.BuildServiceProvider();
        var run = Run();
        var client = provider.GetRequiredService<IHttpClientFactory>().CreateClient("api");

        await Assert.ThrowsAsync<DefenderApiException>(() => client.GetAsync(new Uri($"{run}/missing", UriKind.Relative)));
        Assert.Equal(1, Received("GET", $"/{run}/missing"));

        var clock = Stopwatch.StartNew();
        using var content = new StringContent("{}");
        using var response = await client.PostAsync(new Uri($"{run}/throttled-once", UriKind.Relative), content);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(2, Received("POST", $"/{run}/throttled-once"));
        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(0.95), TimeSpan.FromSeconds(2.5)); // slack for a CI run of every test project at once
    }

    [Theory]
    [InlineData(Order.ErrorsThenResilience)]
    [InlineData(Order.ResilienceThenErrors)]
    public async Task RetryAfterBeyondTheTotalTimeout_IsNotWaited_TheCallerGetsTheTarget(Order order)
    {
        // Retry-After: 5 against a 3 s budget: waiting could only end in the pipeline's timeout.
        using var services = Services(order, ThreeSecondBudget, defenderRetries: true);
        var run = Run();

        var clock = Stopwatch.StartNew();
        var exception = await Assert.ThrowsAsync<DefenderApiException>(() => Client(services).GetAsync(new Uri($"{run}/throttled-long", UriKind.Relative)));

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(4), clock.Elapsed.ToString()); // well short of the 5 s Retry-After: not waited
        Assert.Equal(1, Received("GET", $"/{run}/throttled-long"));
        Assert.Equal(429, exception.Status);
        Assert.Equal(DefenderStatusCodeErrors.TooManyRequests, exception.Code);
        Assert.Equal(TimeSpan.FromSeconds(5), exception.RetryAfter);
        Assert.True(exception.IsRetryable);
        Assert.NotNull(exception.Target);
    }

    [Fact]
    public async Task RetryAfterBeyondTheTotalTimeout_WithoutDefenderRetries_EndsInThePipelinesTimeout()
    {
        // What UseDefenderApiRetries() is for: the standard handler alone waits the 5 s and is cut off by its 3 s budget.
        using var services = Services(Order.ErrorsThenResilience, ThreeSecondBudget, defenderRetries: false);
        var run = Run();

        await Assert.ThrowsAsync<TimeoutRejectedException>(() => Client(services).GetAsync(new Uri($"{run}/throttled-long", UriKind.Relative)));
        Assert.Equal(1, Received("GET", $"/{run}/throttled-long"));
    }

    [Fact]
    public async Task ClosedPort_IsANetworkFailure_NotADefenderApiException()
    {
        var port = ClosedPort();
        var services = new ServiceCollection();
        services.AddHttpClient("api", c => c.BaseAddress = new Uri($"http://127.0.0.1:{port}/"))
            .AddDefenderApiErrors()
            .AddStandardResilienceHandler(o =>
            {
                o.Retry.Delay = TimeSpan.FromMilliseconds(10);
                o.Retry.UseJitter = false;
                o.UseDefenderApiRetries();
            });
        using var provider = services.BuildServiceProvider();

        var exception = await Assert.ThrowsAsync<HttpRequestException>(() => provider.GetRequiredService<IHttpClientFactory>().CreateClient("api").GetAsync(new Uri("x", UriKind.Relative)));
        Assert.IsNotType<DefenderApiException>(exception);
        Assert.Null(exception.StatusCode);
    }

    [Fact]
    public void AddDefenderApiErrors_Twice_AddsOneHandler()
    {
        var services = new ServiceCollection();
        services.AddHttpClient("api").AddDefenderApiErrors().AddDefenderApiErrors();
        using var provider = services.BuildServiceProvider();
        var handler = provider.GetRequiredService<IHttpMessageHandlerFactory>().CreateHandler("api");

        var count = 0;
        for (var current = handler as DelegatingHandler; current is not null; current = current.InnerHandler as DelegatingHandler)
        {
            count += current is DefenderApiErrorHandler ? 1 : 0;
        }

        Assert.Equal(1, count);
    }

    private static void ThreeSecondBudget(HttpStandardResilienceOptions options)
    {
        options.TotalRequestTimeout.Timeout = TimeSpan.FromSeconds(3);
        options.AttemptTimeout.Timeout = TimeSpan.FromSeconds(2);
    }

    private static string Run() => Guid.NewGuid().ToString("N");

    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private IResult Throttle(HttpContext context, string retryAfter, int times)
    {
        if (Count(context) <= times)
        {
            context.Response.Headers.RetryAfter = retryAfter;
            return DefenderResults.Error(new DefenderError(DefenderStatusCodeErrors.TooManyRequests));
        }

        return Results.Text("fine");
    }

    private int Count(HttpContext context) => Received(context.Request.Method, context.Request.Path);

    private int Received(string method, string path) => _received.GetValueOrDefault(method + " " + path);

    private ServiceProvider Services(Order order, Action<HttpStandardResilienceOptions>? configure = null, bool defenderRetries = false)
    {
        void Options(HttpStandardResilienceOptions options)
        {
            configure?.Invoke(options);
            if (defenderRetries)
            {
                options.UseDefenderApiRetries();
            }
        }

        var services = new ServiceCollection();
        var client = services.AddHttpClient("api", c => c.BaseAddress = new Uri(_address));
        if (order == Order.ErrorsThenResilience)
        {
            client.AddDefenderApiErrors().AddStandardResilienceHandler(Options);
        }
        else
        {
            client.AddStandardResilienceHandler(Options);
            client.AddDefenderApiErrors();
        }

        return services.BuildServiceProvider();
    }

    private static HttpClient Client(ServiceProvider services) => services.GetRequiredService<IHttpClientFactory>().CreateClient("api");
}
