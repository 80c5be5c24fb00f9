using System.Net;
using Defender.ErrorMiddleware.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Defender.ErrorMiddleware.Tests;

/// <summary>
/// A thrown error is answered alike however it leaves the app's pipeline: thrown out of the next middleware itself, returned
/// as a task that has already failed (read without awaiting), or failing after a real await. Which of those our middleware
/// sees depends on what the app puts between it and the endpoint, so every layout users write runs each, minimal API and MVC.
/// </summary>
public sealed class ThrownLayoutTests
{
    public static TheoryData<string, string> Matrix()
    {
        var data = new TheoryData<string, string>();
        foreach (var layout in PipelineLayouts.All)
        {
            foreach (var path in new[] { "/thrown/sync", "/thrown/faulted", "/thrown/later", "/thrown-mvc/sync", "/thrown-mvc/later" })
            {
                data.Add(layout, path);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Matrix))]
    public async Task Thrown_IsAnsweredAlike_WhetherSynchronouslyAsAFaultedTaskOrAfterAnAwait(string layout, string path)
    {
        var log = new LogCapture();
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Production" });
        builder.WebHost.UseTestServer();
        builder.Logging.ClearProviders();
        builder.Logging.AddProvider(log);
        builder.Services.AddDefenderErrors();
        builder.Services.AddControllers().AddApplicationPart(typeof(ThrownController).Assembly);
        PipelineLayouts.AddServices(layout, builder.Services);
        await using var app = builder.Build();
        PipelineLayouts.Use(layout, app, a => a.UseDefenderErrors());
        app.MapGet("/thrown/sync", string () => throw new DefenderException(ThrownController.Error));
        app.MapGet("/thrown/faulted", () => Task.FromException<string>(new DefenderException(ThrownController.Error)));
        app.MapGet("/thrown/later", async Task<string> () =>
        {
            await Task.Yield();
            throw new DefenderException(ThrownController.Error);
        });
        app.MapControllers();
        await app.StartAsync();
        using var client = app.GetTestClient();
        client.DefaultRequestHeaders.Add(PipelineLayouts.ApiKeyHeader, "key");

        var target = await DefenderEnvelope.AssertErrorAsync(await client.GetAsync(path), HttpStatusCode.NotFound, "ResourceNotFound", "Machine 7 was not found",
            layout == PipelineLayouts.ExceptionHandler ? "no-store, no-cache" : "no-store");

        var entry = Assert.Single(log.FromDefender);
        Assert.Equal(target, entry.State["Target"]);
        Assert.Equal(path, entry.State["Path"]);
    }
}

[Route("thrown-mvc")]
public sealed class ThrownController : ControllerBase
{
    internal static DefenderError Error => DefenderError.ResourceNotFound("Machine", "7");

    [HttpGet("sync")]
    public string Sync() => throw new DefenderException(Error);

    [HttpGet("later")]
    public async Task<string> Later()
    {
        await Task.Yield();
        throw new DefenderException(Error);
    }
}
