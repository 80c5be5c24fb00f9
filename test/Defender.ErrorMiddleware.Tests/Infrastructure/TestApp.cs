using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Defender.ErrorMiddleware.Tests.Infrastructure;

/// <summary>A small app per test, on TestServer or on Kestrel at 127.0.0.1, with captured logs.</summary>
public sealed partial class TestApp : IAsyncDisposable
{
    private TestApp(WebApplication app, HttpClient client, TestLogProvider logs)
    {
        App = app;
        Client = client;
        Logs = logs;
    }

    public WebApplication App { get; }

    public HttpClient Client { get; }

    public TestLogProvider Logs { get; }

    public static Task<TestApp> StartAsync(
        Action<WebApplication> configureApp,
        Action<DefenderErrorOptions>? configureOptions = null,
        Action<IServiceCollection>? configureServices = null,
        Action<WebApplication>? configurePipeline = null,
        bool kestrel = false) =>
        StartCoreAsync(configureApp, configureOptions, configureServices, configurePipeline, kestrel);

    private static async Task<TestApp> StartCoreAsync(
        Action<WebApplication> configureApp,
        Action<DefenderErrorOptions>? configureOptions,
        Action<IServiceCollection>? configureServices,
        Action<WebApplication>? configurePipeline,
        bool kestrel)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { EnvironmentName = "Production" });
        var logs = new TestLogProvider();
        builder.Logging.ClearProviders();
        builder.Logging.SetMinimumLevel(LogLevel.Trace);
        builder.Logging.AddProvider(logs);
        if (kestrel)
        {
            builder.WebHost.UseKestrel().UseUrls("http://127.0.0.1:0");
        }
        else
        {
            builder.WebHost.UseTestServer();
        }

        builder.Services.AddDefenderErrors(o => configureOptions?.Invoke(o));
        configureServices?.Invoke(builder.Services);

        var app = builder.Build();
        app.UseDefenderErrors();
        configurePipeline?.Invoke(app);
        configureApp(app);
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

        return new TestApp(app, client, logs);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
    }

    [GeneratedRegex("\"target\":\"([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\"")]
    private static partial Regex TargetPattern();

    /// <summary>
    /// Checks the body is exactly the envelope with this code and message and a lower-case GUID target; returns the target.
    /// </summary>
    public static Guid AssertEnvelope(string body, string code, string message)
    {
        var match = TargetPattern().Match(body);
        Assert.True(match.Success, $"No lower-case GUID target in: {body}");
        var target = match.Groups[1].Value;
        var expected = "{\"error\":{\"code\":" + System.Text.Json.JsonSerializer.Serialize(code)
            + ",\"message\":" + Json(message) + ",\"target\":\"" + target + "\"}}";
        Assert.Equal(expected, body);
        return Guid.Parse(target);
    }

    /// <summary>Checks status, the error headers and the exact envelope; returns the target.</summary>
    public static async Task<Guid> AssertErrorAsync(HttpResponseMessage response, HttpStatusCode status, string code, string message)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"Expected {status}, got {response.StatusCode}: {body}");
        Assert.Equal("application/json; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
        Assert.Equal(["nosniff"], response.Headers.GetValues("X-Content-Type-Options"));
        Assert.Equal([code], response.Headers.GetValues("x-ms-error-code"));
        Assert.Equal(System.Text.Encoding.UTF8.GetByteCount(body), response.Content.Headers.ContentLength);
        return AssertEnvelope(body, code, message);
    }

    // The writer escapes like System.Text.Json's relaxed encoder: quotes and controls, not apostrophes or non-ASCII.
    private static readonly System.Text.Json.JsonSerializerOptions RelaxedJson = new()
    {
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    private static string Json(string value) => System.Text.Json.JsonSerializer.Serialize(value, RelaxedJson);
}
