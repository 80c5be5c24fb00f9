using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace Defender.ErrorMiddleware.Tests.Infrastructure;

/// <summary>
/// A small app per test, on TestServer or on Kestrel at 127.0.0.1, with captured logs: a <see cref="Framework.FrameworkApp"/>
/// with <c>AddDefenderErrors()</c> registered and <c>UseDefenderErrors()</c> first in the pipeline.
/// </summary>
public sealed class TestApp : IAsyncDisposable
{
    private readonly Framework.FrameworkApp _app;

    private TestApp(Framework.FrameworkApp app) => _app = app;

    public WebApplication App => _app.App;

    public HttpClient Client => _app.Client;

    public LogCapture Logs => _app.Logs;

    public static async Task<TestApp> StartAsync(
        Action<WebApplication> configureApp,
        Action<DefenderErrorOptions>? configureOptions = null,
        Action<IServiceCollection>? configureServices = null,
        Action<WebApplication>? configurePipeline = null,
        bool kestrel = false)
    {
        var app = await Framework.FrameworkApp.StartAsync(
            services =>
            {
                services.AddDefenderErrors(o => configureOptions?.Invoke(o));
                configureServices?.Invoke(services);
            },
            pipeline =>
            {
                pipeline.UseDefenderErrors();
                configurePipeline?.Invoke(pipeline);
                configureApp(pipeline);
            },
            kestrel);
        return new TestApp(app);
    }

    public ValueTask DisposeAsync() => _app.DisposeAsync();
}
