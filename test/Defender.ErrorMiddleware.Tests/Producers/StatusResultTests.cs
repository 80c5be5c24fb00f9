using System.Net;
using System.Reflection;
using Defender.ErrorMiddleware.Tests.Framework;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.ApplicationParts;
using Microsoft.AspNetCore.Mvc.Controllers;
using Microsoft.AspNetCore.Mvc.Filters;
using Microsoft.Extensions.DependencyInjection;

namespace Defender.ErrorMiddleware.Tests.Producers;

/// <summary>
/// <c>DefenderResults.Error(error, status)</c>: an error under a status of its own (405, 413, which no documented code
/// carries), from a minimal API, a controller action and an MVC filter alike, keeps that status with the exact envelope
/// and one log line naming it. In every layout, over Kestrel.
/// </summary>
public sealed class StatusResultTests
{
    public static TheoryData<string, string, HttpStatusCode, string, string> Rows()
    {
        var data = new TheoryData<string, string, HttpStatusCode, string, string>();
        foreach (var layout in ProducerLayouts.Names)
        {
            data.Add(layout, "/minimal/method", HttpStatusCode.MethodNotAllowed, "BadRequest", "Machines cannot be deleted here.");
            data.Add(layout, "/minimal/too-large", HttpStatusCode.RequestEntityTooLarge, "InvalidRequestBody", "The request body is too large.");
            data.Add(layout, "/mvc/method", HttpStatusCode.MethodNotAllowed, "BadRequest", "Machines cannot be deleted here.");
            data.Add(layout, "/mvc/too-large", HttpStatusCode.RequestEntityTooLarge, "InvalidRequestBody", "The request body is too large.");
            data.Add(layout, "/mvc/filtered", HttpStatusCode.RequestEntityTooLarge, "InvalidRequestBody", "The batch is too large.");
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Rows))]
    public async Task ErrorWithStatus_KeepsTheStatus_WithTheExactEnvelope_LoggedOnce(string layout, string path, HttpStatusCode status, string code, string message)
    {
        await using var app = await StartAsync(layout);

        var response = await app.Client.GetAsync(path);

        await app.AssertErrorLoggedOnceAsync(response, status, code, message);
        ProducerLayouts.AssertLayoutRan(layout, response);
    }

    [Theory]
    [InlineData(200)]
    [InlineData(399)]
    [InlineData(600)]
    public void ErrorWithStatus_RefusesANonErrorStatus(int status) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => DefenderResults.Error(DefenderError.BadRequest(), status));

    [Fact]
    public void StatusCode_IsTheGivenStatus_ElseTheCodes()
    {
        Assert.Equal(405, DefenderResults.Error(DefenderError.BadRequest(), 405).StatusCode);
        Assert.Equal(400, DefenderResults.Error(DefenderError.BadRequest()).StatusCode);
    }

    private static Task<FrameworkApp> StartAsync(string layout) => ProducerLayouts.StartAsync(
        layout,
        app =>
        {
            app.MapGet("/minimal/method", () => DefenderResults.Error(DefenderError.BadRequest("Machines cannot be deleted here."), StatusCodes.Status405MethodNotAllowed));
            app.MapGet("/minimal/too-large", () => DefenderResults.Error(DefenderError.InvalidRequestBody("The request body is too large."), StatusCodes.Status413PayloadTooLarge));
            app.MapControllers();
        },
        services => services.AddControllers(o => o.Filters.Add(new TooLargeFilter()))
            .ConfigureApplicationPartManager(m => m.FeatureProviders.Add(new StatusResultControllerOnly())));

    /// <summary>An MVC filter of the application's that answers with an error result under its own status.</summary>
    private sealed class TooLargeFilter : IActionFilter
    {
        public void OnActionExecuting(ActionExecutingContext context)
        {
            if (context.HttpContext.Request.Path.StartsWithSegments("/mvc/filtered", StringComparison.Ordinal))
            {
                context.Result = DefenderResults.Error(DefenderError.InvalidRequestBody("The batch is too large."), StatusCodes.Status413PayloadTooLarge);
            }
        }

        public void OnActionExecuted(ActionExecutedContext context)
        {
        }
    }

    private sealed class StatusResultControllerOnly : IApplicationFeatureProvider<ControllerFeature>
    {
        public void PopulateFeature(IEnumerable<ApplicationPart> parts, ControllerFeature feature)
        {
            feature.Controllers.Clear();
            feature.Controllers.Add(typeof(StatusResultController).GetTypeInfo());
        }
    }
}

[ApiController]
[Route("mvc")]
public sealed class StatusResultController : ControllerBase
{
    [HttpGet("method")]
    public IActionResult MethodNotAllowedResult() =>
        DefenderResults.Error(DefenderError.BadRequest("Machines cannot be deleted here."), StatusCodes.Status405MethodNotAllowed);

    /// <summary>Declared as the result type itself, as a minimal API would: MVC executes it as an action result.</summary>
    [HttpGet("too-large")]
    public DefenderErrorResult TooLarge() =>
        DefenderResults.Error(DefenderError.InvalidRequestBody("The request body is too large."), StatusCodes.Status413PayloadTooLarge);

    [HttpGet("filtered")]
    public IActionResult Filtered() => Ok("not reached");
}
