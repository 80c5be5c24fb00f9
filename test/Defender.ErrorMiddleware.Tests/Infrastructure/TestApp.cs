using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Defender.ErrorMiddleware.Tests.Infrastructure;

/// <summary>A small app per test, on TestServer or on Kestrel at 127.0.0.1, with captured logs.</summary>
public sealed class TestApp : IAsyncDisposable
{
    private TestApp(WebApplication app, HttpClient client, LogCapture logs)
    {
        App = app;
        Client = client;
        Logs = logs;
    }

    public WebApplication App { get; }

    public HttpClient Client { get; }

    public LogCapture Logs { get; }

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
        var logs = new LogCapture();
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
}
