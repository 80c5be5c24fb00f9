using System.Net;
using Defender.ErrorMiddleware.Internal;
using Defender.ErrorMiddleware.Tests.Framework;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.DependencyInjection;

namespace Defender.ErrorMiddleware.Tests.Producers;

/// <summary>
/// Minimal-API results with an error status and a string value become the envelope with the string as the message (as MVC's
/// <c>BadRequest("…")</c>), logged once; an app's own object stays its body. In every layout, over Kestrel.
/// </summary>
public sealed class StringResultTests
{
    public static TheoryData<string, string, HttpStatusCode, string, string> Rows()
    {
        var data = new TheoryData<string, string, HttpStatusCode, string, string>();
        foreach (var layout in ProducerLayouts.Names)
        {
            data.Add(layout, "/bad-request", HttpStatusCode.BadRequest, "BadRequest", "Machine group is read-only.");
            data.Add(layout, "/typed-conflict", HttpStatusCode.Conflict, "BadRequest", "Action is already in progress");
            data.Add(layout, "/not-found", HttpStatusCode.NotFound, "NotFound", "Machine 7 was not found");
            data.Add(layout, "/unprocessable", HttpStatusCode.UnprocessableEntity, "BadRequest", "The comment is too long.");
            data.Add(layout, "/union", HttpStatusCode.Conflict, "BadRequest", "Action is already in progress");
            data.Add(layout, "/async", HttpStatusCode.BadRequest, "BadRequest", "Machine group is read-only.");
            data.Add(layout, "/group/forbidden", HttpStatusCode.Forbidden, "Forbidden", "Only the owner can offboard.");
            data.Add(layout, "/filtered", HttpStatusCode.BadRequest, "BadRequest", "Rejected by the app's filter.");
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Rows))]
    public async Task StringResult_WithErrorStatus_AnswersEnvelope_LoggedOnce(string layout, string path, HttpStatusCode status, string code, string message)
    {
        await using var app = await ProducerLayouts.StartAsync(layout, MapEndpoints);

        var response = await app.Client.GetAsync(path);

        await app.AssertErrorLoggedOnceAsync(response, status, code, message);
        ProducerLayouts.AssertLayoutRan(layout, response);
    }

    [Theory]
    [MemberData(nameof(ProducerLayouts.All), MemberType = typeof(ProducerLayouts))]
    public async Task ObjectResult_WithErrorStatus_StaysTheAppsBody(string layout)
    {
        await using var app = await ProducerLayouts.StartAsync(layout, MapEndpoints);

        var response = await app.Client.GetAsync("/object");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("{\"reason\":\"read-only\"}", await response.Content.ReadAsStringAsync());
        Assert.Empty(app.Logs.FromDefender);
    }

    [Theory]
    [MemberData(nameof(ProducerLayouts.All), MemberType = typeof(ProducerLayouts))]
    public async Task StringResult_WithSuccessStatus_StaysTheAppsBody(string layout)
    {
        await using var app = await ProducerLayouts.StartAsync(layout, MapEndpoints);

        var response = await app.Client.GetAsync("/ok");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("\"fine\"", await response.Content.ReadAsStringAsync());
        Assert.Empty(app.Logs.FromDefender);
    }

    [Fact]
    public void RouteHandlerSources_AreFoundByWhatTheFrameworksMapCreates_NotByName()
    {
        // The filter reaches the endpoints of exactly these two sources; the framework's own Map and MapGroup tell their types.
        using var services = new ServiceCollection().AddRouting().BuildServiceProvider();

        var types = DefenderRouteHandlerResults.RouteHandlerSourceTypes(services);

        Assert.Equal(
            ["Microsoft.AspNetCore.Routing.RouteEndpointDataSource", "Microsoft.AspNetCore.Routing.RouteGroupBuilder+GroupEndpointDataSource"],
            types.Select(static type => type.FullName));
    }

    private static void MapEndpoints(WebApplication app)
    {
        app.MapGet("/bad-request", () => Results.BadRequest("Machine group is read-only."));
        app.MapGet("/typed-conflict", () => TypedResults.Conflict("Action is already in progress"));
        app.MapGet("/not-found", () => Results.NotFound("Machine 7 was not found"));
        app.MapGet("/unprocessable", () => Results.UnprocessableEntity("The comment is too long."));
        app.MapGet("/union", Results<Ok<string>, Conflict<string>> (HttpContext context) =>
            context.Request.Query.ContainsKey("ok") ? TypedResults.Ok("fine") : TypedResults.Conflict("Action is already in progress"));
        app.MapGet("/async", async Task<IResult> () =>
        {
            await Task.Yield();
            return Results.BadRequest("Machine group is read-only.");
        });
        app.MapGroup("/group").MapGet("/forbidden", () => Results.Json("Only the owner can offboard.", statusCode: 403));
        app.MapGet("/filtered", () => Results.Ok("fine")).AddEndpointFilter((_, _) => ValueTask.FromResult<object?>(Results.BadRequest("Rejected by the app's filter.")));
        app.MapGet("/object", () => Results.BadRequest(new { reason = "read-only" }));
        app.MapGet("/ok", () => Results.Ok("fine"));
    }
}
