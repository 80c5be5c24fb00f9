using Defender.ErrorMiddleware.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Defender.ErrorMiddleware.Tests.Framework;

/// <summary>
/// A small app whose registration and pipeline order the test writes itself (TestApp always registers and places the
/// middleware first), on TestServer or Kestrel at 127.0.0.1, with captured logs.
/// </summary>
public sealed class FrameworkApp : IAsyncDisposable
{
    private FrameworkApp(WebApplication app, HttpClient client, LogCapture logs)
    {
        App = app;
        Client = client;
        Logs = logs;
    }

    public WebApplication App { get; }

    public HttpClient Client { get; }

    public LogCapture Logs { get; }

    public static async Task<FrameworkApp> StartAsync(
        Action<IServiceCollection> services, Action<WebApplication> pipeline, bool kestrel = false, string environment = "Production",
        Action<Microsoft.AspNetCore.Server.Kestrel.Core.KestrelServerOptions>? kestrelOptions = null)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { EnvironmentName = environment });
        var logs = new LogCapture();
        builder.Logging.ClearProviders();
        builder.Logging.SetMinimumLevel(LogLevel.Trace);
        builder.Logging.AddProvider(logs);
        if (kestrel)
        {
            if (kestrelOptions is null)
            {
                builder.WebHost.UseKestrel().UseUrls("http://127.0.0.1:0");
            }
            else
            {
                builder.WebHost.UseKestrel(kestrelOptions);
            }
        }
        else
        {
            builder.WebHost.UseTestServer();
        }

        services(builder.Services);
        var app = builder.Build();
        pipeline(app);
        await app.StartAsync();

        HttpClient client;
        if (kestrel)
        {
            var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            client = new HttpClient { BaseAddress = new Uri(address) };
        }
        else
        {
            client = app.GetTestClient();
        }

        return new FrameworkApp(app, client, logs);
    }

    /// <summary>Checks the envelope, then that the Defender category logged exactly one line and it carries the same target.</summary>
    public async Task<Guid> AssertErrorLoggedOnceAsync(HttpResponseMessage response, System.Net.HttpStatusCode status, string code, string message)
    {
        Guid target;
        try
        {
            target = await AssertErrorAsync(response, status, code, message);
        }
        catch (Xunit.Sdk.XunitException)
        {
            // The log says why a request answered what it did; show it with the failure.
            throw new Xunit.Sdk.XunitException(string.Join("\n", Logs.Entries.Select(e => $"{e.Level} {e.Category}: {e.Message} {e.Exception}")));
        }

        var entry = Assert.Single(Logs.FromDefender, e => e.EventId.Id is 1 or 2);
        Assert.Equal(target, entry.State["Target"]);
        Assert.Equal(code, entry.State["ErrorCode"]);
        Assert.Equal((int)status, entry.State["StatusCode"]);
        return target;
    }

    /// <summary>
    /// TestApp.AssertErrorAsync, except that Cache-Control must include no-store rather than be exactly it: behind
    /// UseExceptionHandler() ASP.NET Core's own <c>no-cache,no-store</c> (set when the response starts) stays.
    /// </summary>
    public static async Task<Guid> AssertErrorAsync(HttpResponseMessage response, System.Net.HttpStatusCode status, string code, string message)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"Expected {status}, got {response.StatusCode}: {body}");
        Assert.Equal("application/json; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        Assert.True(response.Headers.CacheControl?.NoStore, $"Cache-Control: {response.Headers.CacheControl}");
        Assert.Equal(["nosniff"], response.Headers.GetValues("X-Content-Type-Options"));
        Assert.Equal([code], response.Headers.GetValues("x-ms-error-code"));
        Assert.Null(response.Headers.ETag);
        Assert.Equal(System.Text.Encoding.UTF8.GetByteCount(body), response.Content.Headers.ContentLength);
        return DefenderEnvelope.AssertBody(body, code, message);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
    }
}
