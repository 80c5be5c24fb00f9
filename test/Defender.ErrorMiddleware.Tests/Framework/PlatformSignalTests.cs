using System.Net;
using Defender.ErrorMiddleware.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Defender.ErrorMiddleware.Tests.Framework;

/// <summary>The signals ASP.NET Core's exception handler emits, in both pipelines; its opt-outs for bodiless statuses.</summary>
public sealed class PlatformSignalTests
{
    private const string HandlerType = "Defender.ErrorMiddleware.Internal.DefenderExceptionHandler";

    private static void Map(WebApplication app)
    {
        app.MapGet("/throw", IResult () => throw new InvalidOperationException("boom"));
        app.MapGet("/not-found", (HttpContext context) =>
        {
            context.Response.Headers.ETag = "\"v1\"";
            context.Response.Headers.LastModified = "Tue, 01 Dec 2026 08:00:00 GMT";
            context.Response.Headers.Expires = "Tue, 01 Dec 2099 08:00:00 GMT";
            return Results.NotFound();
        });
        app.MapGet("/throw-after-validators", IResult (HttpContext context) =>
        {
            context.Response.Headers.ETag = "\"v1\"";
            context.Response.Headers.Expires = "Tue, 01 Dec 2099 08:00:00 GMT";
            throw new InvalidOperationException("boom");
        });
        app.MapGet("/skip", () => Results.NotFound()).WithMetadata(new SkipStatusCodePagesAttribute());
        app.MapGet("/disabled", (HttpContext context) =>
        {
            context.Features.Get<IStatusCodePagesFeature>()!.Enabled = false;
            return Results.StatusCode(404);
        });
        app.MapGet("/rethrow", IResult () => throw new TimeoutException("fatal"));
    }

    private static Task<FrameworkApp> StartAsync(bool exceptionHandler = false, bool kestrel = false) =>
        FrameworkApp.StartAsync(
            s => s.AddDefenderErrors(o => o.Rethrow<TimeoutException>()),
            app =>
            {
                if (exceptionHandler)
                {
                    app.UseExceptionHandler();
                }
                else
                {
                    app.UseDefenderErrors();
                }

                Map(app);
            },
            kestrel);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task HandledException_EmitsCounter_ErrorTypeOnDuration_AndHandledExceptionEvent(bool exceptionHandler)
    {
        await using var app = await StartAsync(exceptionHandler);
        using var signals = new PlatformSignals(app.App.Services);

        await FrameworkApp.AssertErrorAsync(await app.Client.GetAsync("/throw"), HttpStatusCode.InternalServerError, "InternalServerError", "");

        var counted = Assert.Single(await signals.ExceptionsAsync(1));
        Assert.Equal(1, counted.Value);
        Assert.Equal(new Dictionary<string, object?>
        {
            ["error.type"] = "System.InvalidOperationException",
            ["aspnetcore.diagnostics.exception.result"] = "handled",
            ["aspnetcore.diagnostics.handler.type"] = HandlerType,
        }, counted.Tags);
        Assert.Equal("System.InvalidOperationException", (await signals.RequestDurationAsync()).Tags["error.type"]);
        var (name, payload) = Assert.Single(signals.Events);
        Assert.Equal("Microsoft.AspNetCore.Diagnostics.HandledException", name);
        Assert.Equal("boom", Assert.IsType<InvalidOperationException>(PlatformSignals.Property(payload, "exception")).Message);
        Assert.IsAssignableFrom<HttpContext>(PlatformSignals.Property(payload, "httpContext"));
    }

    [Fact]
    public async Task HandledException_SetsExceptionHandlerFeatures()
    {
        IExceptionHandlerPathFeature? seen = null;
        await using var app = await FrameworkApp.StartAsync(
            s => s.AddDefenderErrors(),
            a =>
            {
                a.Use(async (context, next) =>
                {
                    await next(context);
                    seen = context.Features.Get<IExceptionHandlerPathFeature>();
                });
                a.UseDefenderErrors();
                Map(a);
            });

        await FrameworkApp.AssertErrorAsync(await app.Client.GetAsync("/throw?x=1"), HttpStatusCode.InternalServerError, "InternalServerError", "");

        Assert.NotNull(seen);
        Assert.Equal("/throw", seen.Path);
        Assert.Equal("boom", seen.Error.Message);
        Assert.Equal("HTTP: GET /throw", seen.Endpoint?.DisplayName);
    }

    [Fact]
    public async Task RethrownException_IsCountedUnhandled()
    {
        await using var app = await StartAsync();
        using var signals = new PlatformSignals(app.App.Services);

        var response = await Record.ExceptionAsync(() => app.Client.GetAsync("/rethrow"));

        Assert.NotNull(response);
        var counted = Assert.Single(await signals.ExceptionsAsync(1));
        Assert.Equal("unhandled", counted.Tags["aspnetcore.diagnostics.exception.result"]);
        Assert.Equal("System.TimeoutException", counted.Tags["error.type"]);
        Assert.False(counted.Tags.ContainsKey("aspnetcore.diagnostics.handler.type"));
    }

    [Fact]
    public async Task ExceptionAfterResponseStarted_IsCountedSkipped_AndReportedUnhandled()
    {
        await using var app = await FrameworkApp.StartAsync(
            s => s.AddDefenderErrors(),
            a =>
            {
                a.UseDefenderErrors();
                a.MapGet("/half", async (HttpContext context) =>
                {
                    await context.Response.WriteAsync("{\"value\":[");
                    await context.Response.Body.FlushAsync();
                    throw new InvalidOperationException("mid-stream");
                });
            },
            kestrel: true);
        using var signals = new PlatformSignals(app.App.Services);

        await Record.ExceptionAsync(async () => await (await app.Client.GetAsync("/half")).Content.ReadAsStringAsync());

        var counted = Assert.Single(await signals.ExceptionsAsync(1));
        Assert.Equal("skipped", counted.Tags["aspnetcore.diagnostics.exception.result"]);
        Assert.Equal("System.InvalidOperationException", (await signals.RequestDurationAsync()).Tags["error.type"]);
        Assert.Equal("Microsoft.AspNetCore.Diagnostics.UnhandledException", Assert.Single(signals.Events).Name);
    }

    [Fact]
    public async Task SkipStatusCodePagesMetadata_LeavesTheBodilessStatus()
    {
        await using var app = await StartAsync();

        var response = await app.Client.GetAsync("/skip");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal(string.Empty, await response.Content.ReadAsStringAsync());
        Assert.Empty(app.Logs.FromDefender);
    }

    [Fact]
    public async Task StatusCodePagesFeatureDisabledByTheEndpoint_LeavesTheBodilessStatus()
    {
        await using var app = await FrameworkApp.StartAsync(
            s => s.AddDefenderErrors(),
            a =>
            {
                a.UseDefenderErrors();
                a.UseStatusCodePages();
                Map(a);
            });

        var response = await app.Client.GetAsync("/disabled");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal(string.Empty, await response.Content.ReadAsStringAsync());
        Assert.Empty(app.Logs.FromDefender);
    }

    [Fact]
    public async Task BodilessStatus_DropsTheValidatorsOfTheResponse()
    {
        await using var app = await StartAsync();

        var response = await app.Client.GetAsync("/not-found");

        await app.AssertErrorLoggedOnceAsync(response, HttpStatusCode.NotFound, "NotFound", "General Not Found error message.");
        Assert.Null(response.Content.Headers.LastModified);
        Assert.Null(response.Content.Headers.Expires);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Exception_DropsTheValidatorsSetBeforeIt(bool exceptionHandler)
    {
        await using var app = await StartAsync(exceptionHandler);

        var response = await app.Client.GetAsync("/throw-after-validators");

        await app.AssertErrorLoggedOnceAsync(response, HttpStatusCode.InternalServerError, "InternalServerError", "");
        Assert.True(response.Content.Headers.Expires is null || response.Content.Headers.Expires < DateTimeOffset.UtcNow,
            $"Expires: {response.Content.Headers.Expires}");
        Assert.DoesNotContain(app.Logs.Entries, e => e.Level >= LogLevel.Error && e.Category != "Defender.ErrorMiddleware");
    }
}
