using System.Diagnostics;
using System.Net;
using Defender.ErrorMiddleware.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Defender.ErrorMiddleware.Tests;

public sealed class ExceptionMappingTests
{
    private sealed class MachineMissingException(string id) : KeyNotFoundException("missing " + id)
    {
        public string Id { get; } = id;
    }

    [Fact]
    public async Task Map_MatchesInRegistrationOrder_AndByBaseType()
    {
        await using var app = await TestApp.StartAsync(
            a =>
            {
                a.MapGet("/derived", string () => throw new MachineMissingException("42"));
                a.MapGet("/base", string () => throw new KeyNotFoundException("k"));
                a.MapGet("/arg", string () => throw new ArgumentException("bad"));
            },
            o =>
            {
                o.Map<MachineMissingException>(ex => DefenderError.ResourceNotFound("Machine", ex.Id));
                o.Map<KeyNotFoundException>(DefenderErrorCode.NotFound);
                o.Map<MachineMissingException>(_ => DefenderError.BadRequest("never reached"));
                o.Map<Exception>((context, ex) => ex is ArgumentException ? DefenderError.InvalidInput(context.Request.Path) : null);
            });

        await DefenderEnvelope.AssertErrorAsync(await app.Client.GetAsync("/derived"), HttpStatusCode.NotFound, "ResourceNotFound", "Machine 42 was not found");
        await DefenderEnvelope.AssertErrorAsync(await app.Client.GetAsync("/base"), HttpStatusCode.NotFound, "NotFound", "General Not Found error message.");
        await DefenderEnvelope.AssertErrorAsync(await app.Client.GetAsync("/arg"), HttpStatusCode.BadRequest, "InvalidInput", "Invalid input /arg.");
    }

    [Fact]
    public async Task MapThatDeclines_FallsThroughToInternalServerError()
    {
        await using var app = await TestApp.StartAsync(
            a => a.MapGet("/x", string () => throw new TimeoutException("db")),
            o => o.Map<TimeoutException>((_, _) => null));

        await DefenderEnvelope.AssertErrorAsync(await app.Client.GetAsync("/x"), HttpStatusCode.InternalServerError, "InternalServerError", "");
    }

    [Fact]
    public async Task MappingThatThrows_Answers500_AndLogsBoth()
    {
        await using var app = await TestApp.StartAsync(
            a => a.MapGet("/x", string () => throw new FormatException("original")),
            o => o.Map<FormatException>(_ => throw new InvalidOperationException("mapping bug")));

        var target = await DefenderEnvelope.AssertErrorAsync(await app.Client.GetAsync("/x"), HttpStatusCode.InternalServerError, "InternalServerError", "");

        var logs = app.Logs.FromDefender.ToList();
        Assert.Contains(logs, e => e.EventId.Name == "DefenderMappingFailed" && e.Exception?.Message == "mapping bug");
        var error = Assert.Single(logs, e => e.EventId.Name == "DefenderServerError");
        Assert.Equal(target, error.State["Target"]);
        Assert.Equal("original", error.Exception?.Message);
    }

    [Fact]
    public async Task Rethrow_LogsWithTargetAndLetsTheExceptionReachTheServer()
    {
        await using var app = await TestApp.StartAsync(
            a => a.MapGet("/x", string () => throw new NotSupportedException("outer handles me")),
            o => o.Rethrow<NotSupportedException>());

        var exception = await Assert.ThrowsAsync<NotSupportedException>(() => app.Client.GetAsync("/x"));

        Assert.Equal("outer handles me", exception.Message);
        var entry = Assert.Single(app.Logs.FromDefender);
        Assert.Equal("DefenderRethrow", entry.EventId.Name);
        Assert.IsType<Guid>(entry.State["Target"]);
    }

    [Fact]
    public async Task Ignore_LetsTheExceptionPass_WithoutLogging()
    {
        await using var app = await TestApp.StartAsync(
            a => a.MapGet("/x", string () => throw new NotSupportedException("not mine")),
            o => o.Ignore<NotSupportedException>());

        await Assert.ThrowsAsync<NotSupportedException>(() => app.Client.GetAsync("/x"));
        Assert.Empty(app.Logs.FromDefender);
    }

    [Fact]
    public async Task BuiltInExceptionHandler_UsesTheSameWriter()
    {
        await using var app = await TestApp.StartAsync(
            a => a.MapGet("/x", string () => throw new DefenderException(DefenderError.DisabledFeature())),
            configureServices: s => s.AddProblemDetails(),
            configurePipeline: a => a.UseExceptionHandler());

        var response = await app.Client.GetAsync("/x");

        // The built-in middleware adds its own no-cache headers when the response starts; no-store stays.
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Contains("no-store", response.Headers.CacheControl?.ToString(), StringComparison.Ordinal);
        var target = DefenderEnvelope.AssertBody(await response.Content.ReadAsStringAsync(), "DisabledFeature", "Tenant feature is not enabled.");

        Assert.Equal(target, Assert.Single(app.Logs.FromDefender).State["Target"]);
    }

    [Fact]
    public async Task Error_TagsTheCurrentActivity_WithCodeAndTarget()
    {
        var (target, activity) = await ThrowUnderActivityAsync(ActivitySamplingResult.AllDataAndRecorded);

        Assert.Equal(target.ToString(), activity.GetTagItem("defender.error.target"));
        Assert.Equal("InvalidUrl", activity.GetTagItem("defender.error.code"));
        Assert.Equal("InvalidUrl", activity.GetTagItem("error.type"));
    }

    [Fact]
    public async Task Error_DoesNotTagASampledOutActivity_AndStillLogsItsTraceId()
    {
        var (_, activity) = await ThrowUnderActivityAsync(ActivitySamplingResult.PropagationData);

        Assert.False(activity.IsAllDataRequested);
        Assert.Null(activity.GetTagItem("defender.error.code"));
        Assert.Null(activity.GetTagItem("defender.error.target"));
        Assert.Null(activity.GetTagItem("error.type"));
    }

    /// <summary>Answers a thrown error under the hosting activity sampled as given; the activity is the one whose trace id the log line carries.</summary>
    private static async Task<(Guid Target, Activity Activity)> ThrowUnderActivityAsync(ActivitySamplingResult sampling)
    {
        using var listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name == "Microsoft.AspNetCore",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => sampling,
        };
        var stopped = new List<Activity>();
        listener.ActivityStopped = a => { lock (stopped) { stopped.Add(a); } };
        ActivitySource.AddActivityListener(listener);
        await using var app = await TestApp.StartAsync(a => a.MapGet("/x", string () => throw new DefenderException(DefenderError.InvalidUrl("nope"))));

        var response = await app.Client.GetAsync("/x");
        var target = DefenderEnvelope.AssertBody(await response.Content.ReadAsStringAsync(), "InvalidUrl", "URL nope is invalid.");

        var traceId = (string?)Assert.Single(app.Logs.FromDefender).State["TraceId"];
        lock (stopped)
        {
            return (target, Assert.Single(stopped, a => a.TraceId.ToHexString() == traceId));
        }
    }

    [Fact]
    public async Task UseWithoutAdd_FailsFastWithClearMessage()
    {
        var builder = WebApplication.CreateSlimBuilder();
        await using var app = builder.Build();

        var exception = Assert.Throws<InvalidOperationException>(() => app.UseDefenderErrors());

        Assert.Contains("AddDefenderErrors()", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddTwice_IsHarmless_AndCombinesConfiguration()
    {
        var services = new ServiceCollection().AddLogging();
        services.AddDefenderErrors(o => o.ClientErrorLogLevel = LogLevel.Information);
        services.AddDefenderErrors(o => o.AddErrorCode("X", 400, "x"));

        Assert.Single(services, d => d.ServiceType == typeof(Internal.DefenderErrorWriter));
        using var provider = services.BuildServiceProvider();
        var options = provider.GetRequiredService<Microsoft.Extensions.Options.IOptions<DefenderErrorOptions>>().Value;
        Assert.Equal(LogLevel.Information, options.ClientErrorLogLevel);
        Assert.True(options.RegisteredCodes.ContainsKey("X"));
    }

    [Fact]
    public async Task ClientErrorLogLevel_AndExceptionLogging_AreOptions()
    {
        await using var app = await TestApp.StartAsync(
            a => a.MapGet("/x", string () => throw new DefenderException(DefenderError.BadRequest(), new FormatException("cause"))),
            o =>
            {
                o.ClientErrorLogLevel = LogLevel.Information;
                o.LogClientErrorExceptions = true;
            });

        await app.Client.GetAsync("/x");

        var entry = Assert.Single(app.Logs.FromDefender);
        Assert.Equal(LogLevel.Information, entry.Level);
        Assert.IsType<DefenderException>(entry.Exception);
    }
}
