using System.Net;
using System.Runtime.CompilerServices;
using Defender.ErrorMiddleware.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Defender.ErrorMiddleware.Tests;

/// <summary>
/// An exception configured to pass (<c>Rethrow&lt;T&gt;()</c>, <c>Ignore&lt;T&gt;()</c>) reaches the app's outer middleware
/// with the stack it was thrown with, in every layout that uses <c>UseDefenderErrors()</c>, whether it left the endpoint
/// synchronously or as a faulted task: its stack is captured only when the middleware rethrows it.
/// </summary>
public sealed class RethrowLayoutTests
{
    public static TheoryData<string, string, string> Matrix()
    {
        var data = new TheoryData<string, string, string>();
        foreach (var layout in PipelineLayouts.All.Where(l => l != PipelineLayouts.ExceptionHandler))
        {
            foreach (var path in new[] { "/sync", "/async" })
            {
                data.Add(layout, path, "rethrow");
                data.Add(layout, path, "ignore");
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Matrix))]
    public async Task PassedException_ReachesTheOuterMiddleware_WithItsOriginalStack(string layout, string path, string decision)
    {
        var log = new LogCapture();
        NotSupportedException? caught = null;
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Production" });
        builder.WebHost.UseTestServer();
        builder.Logging.ClearProviders();
        builder.Logging.AddProvider(log);
        builder.Services.AddDefenderErrors(o =>
        {
            if (decision == "rethrow")
            {
                o.Rethrow<NotSupportedException>();
            }
            else
            {
                o.Ignore<NotSupportedException>();
            }
        });
        PipelineLayouts.AddServices(layout, builder.Services);
        await using var app = builder.Build();

        // The app's outermost middleware: the one a passed exception is for.
        app.Use(async (context, next) =>
        {
            try
            {
                await next(context);
            }
            catch (NotSupportedException exception)
            {
                caught = exception;
                context.Response.StatusCode = StatusCodes.Status418ImATeapot;
            }
        });
        PipelineLayouts.Use(layout, app, a => a.UseDefenderErrors());
        app.MapGet("/sync", string () => ThrowFromTheEndpoint());
        app.MapGet("/async", async Task<string> () =>
        {
            await Task.Yield();
            return ThrowFromTheEndpoint();
        });
        await app.StartAsync();
        using var client = app.GetTestClient();
        client.DefaultRequestHeaders.Add(PipelineLayouts.ApiKeyHeader, "key");

        using var response = await client.GetAsync(path);

        Assert.Equal((HttpStatusCode)StatusCodes.Status418ImATeapot, response.StatusCode);
        Assert.NotNull(caught);
        Assert.Equal("outer handles me", caught.Message);
        Assert.Contains(nameof(ThrowFromTheEndpoint), caught.StackTrace, StringComparison.Ordinal);
        var logged = log.FromDefender.ToList();
        if (decision == "rethrow")
        {
            Assert.Equal("DefenderRethrow", Assert.Single(logged).EventId.Name);
        }
        else
        {
            Assert.Empty(logged);
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static string ThrowFromTheEndpoint() => throw new NotSupportedException("outer handles me");
}
