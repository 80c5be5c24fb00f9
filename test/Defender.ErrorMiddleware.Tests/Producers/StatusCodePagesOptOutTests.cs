using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;

namespace Defender.ErrorMiddleware.Tests.Producers;

/// <summary>The documented status-code-pages opt-out works with <c>UseDefenderErrors()</c> alone, in every layout.</summary>
public sealed class StatusCodePagesOptOutTests
{
    [Theory]
    [MemberData(nameof(ProducerLayouts.All), MemberType = typeof(ProducerLayouts))]
    public async Task StatusCodePagesFeature_DisabledByTheEndpoint_LeavesTheBodilessStatus_WithoutUseStatusCodePages(string layout)
    {
        await using var app = await ProducerLayouts.StartAsync(layout, MapEndpoints);

        var response = await app.Client.GetAsync("/opted-out");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Empty(await response.Content.ReadAsByteArrayAsync());
        Assert.Empty(app.Logs.FromDefender);
        ProducerLayouts.AssertLayoutRan(layout, response);
    }

    [Theory]
    [MemberData(nameof(ProducerLayouts.All), MemberType = typeof(ProducerLayouts))]
    public async Task StatusCodePagesFeature_LeftEnabled_AnswersTheEnvelope(string layout)
    {
        await using var app = await ProducerLayouts.StartAsync(layout, MapEndpoints);

        var response = await app.Client.GetAsync("/left-enabled");

        await app.AssertErrorLoggedOnceAsync(response, HttpStatusCode.NotFound, "NotFound", "General Not Found error message.");
        ProducerLayouts.AssertLayoutRan(layout, response);
    }

    private static void MapEndpoints(WebApplication app)
    {
        app.MapGet("/opted-out", (HttpContext context) =>
        {
            context.Features.Get<IStatusCodePagesFeature>()!.Enabled = false;
            return Results.NotFound();
        });
        app.MapGet("/left-enabled", (HttpContext context) => context.Features.Get<IStatusCodePagesFeature>()!.Enabled ? Results.NotFound() : Results.Ok());
    }
}
