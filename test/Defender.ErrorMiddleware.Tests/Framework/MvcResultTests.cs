using System.ComponentModel.DataAnnotations;
using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.ApplicationParts;
using Microsoft.AspNetCore.Mvc.Controllers;
using Microsoft.Extensions.DependencyInjection;

namespace Defender.ErrorMiddleware.Tests.Framework;

/// <summary>The error results an action can return; the two controllers below expose them with and without [ApiController].</summary>
public abstract class ErrorResultsControllerBase : ControllerBase
{
    [HttpGet("problem")]
    public IActionResult ProblemResult() => Problem(detail: "Machine 1 is already isolated.", statusCode: 409);

    [HttpGet("problem-default")]
    public IActionResult ProblemDefault() => Problem();

    [HttpGet("validation-problem")]
    public IActionResult ValidationProblemResult()
    {
        ModelState.AddModelError("Comment", "The Comment field is required.");
        return ValidationProblem(ModelState);
    }

    [HttpGet("validation-problem-details")]
    public IActionResult ValidationProblemDetailsResult() =>
        BadRequest(new ValidationProblemDetails(new Dictionary<string, string[]> { ["Count"] = ["Count must be at most 10."] }));

    [HttpGet("unprocessable")]
    public IActionResult UnprocessableResult() => UnprocessableEntity("Some details.");

    [HttpGet("model-state")]
    public IActionResult ModelStateResult()
    {
        ModelState.AddModelError("error", "This is an error.");
        return BadRequest(ModelState);
    }

    [HttpGet("serializable-error")]
    public IActionResult SerializableErrorResult() =>
        new ObjectResult(new SerializableError { ["Comment"] = new[] { "The Comment field is required." } }) { StatusCode = 400 };

    [HttpGet("ok-object")]
    public IActionResult OkObject() => Ok(new { value = 1 });

    [HttpGet("app-object")]
    public IActionResult AppObject() => Conflict(new { reason = "the application's own body" });

    [HttpGet("not-found")]
    public IActionResult NotFoundResult() => NotFound();

    [HttpGet("keep")]
    public IActionResult Keep()
    {
        var problem = new ProblemDetails { Status = 409, Detail = "Kept." };
        problem.Extensions[DefenderErrorOptions.KeepProblemDetailsExtension] = true;
        return new ObjectResult(problem) { StatusCode = 409 };
    }

    [HttpPost("range")]
    public IActionResult RangeResult([FromBody] RangeBody body) => Ok(body.Count);
}

public sealed class RangeBody
{
    [Range(1, 10)]
    public int Count { get; set; }
}

[ApiController]
[Route("api-controller")]
public sealed class ApiErrorResultsController : ErrorResultsControllerBase;

[Route("controller")]
public sealed class PlainErrorResultsController : ErrorResultsControllerBase;

public sealed class MvcResultTests
{
    public static TheoryData<string> Surfaces() => ["api-controller", "controller"];

    private static Task<FrameworkApp> StartAsync(Action<IServiceCollection>? more = null) =>
        FrameworkApp.StartAsync(
            services =>
            {
                services.AddDefenderErrors();
                services.AddControllers().ConfigureApplicationPartManager(m => m.FeatureProviders.Add(new ErrorResultControllersOnly()));
                more?.Invoke(services);
            },
            app =>
            {
                app.UseDefenderErrors();
                app.MapControllers();
            });

    [Theory]
    [MemberData(nameof(Surfaces))]
    public async Task Problem_AnswersEnvelope_WithStatusKept(string surface)
    {
        await using var app = await StartAsync();

        await app.AssertErrorLoggedOnceAsync(await app.Client.GetAsync($"/{surface}/problem"), HttpStatusCode.Conflict, "BadRequest", "Machine 1 is already isolated.");
    }

    [Theory]
    [MemberData(nameof(Surfaces))]
    public async Task ProblemWithoutArguments_AnswersInternalServerError(string surface)
    {
        await using var app = await StartAsync();

        await app.AssertErrorLoggedOnceAsync(await app.Client.GetAsync($"/{surface}/problem-default"), HttpStatusCode.InternalServerError, "InternalServerError", "");
    }

    [Theory]
    [MemberData(nameof(Surfaces))]
    public async Task ValidationProblem_OfModelState_AnswersMissingRequiredParameter(string surface)
    {
        await using var app = await StartAsync();

        await app.AssertErrorLoggedOnceAsync(await app.Client.GetAsync($"/{surface}/validation-problem"), HttpStatusCode.BadRequest,
            "MissingRequiredParameter", "Parameter Comment is missing.");
    }

    [Theory]
    [MemberData(nameof(Surfaces))]
    public async Task BadRequestOfValidationProblemDetails_AnswersInvalidInput(string surface)
    {
        await using var app = await StartAsync();

        await app.AssertErrorLoggedOnceAsync(await app.Client.GetAsync($"/{surface}/validation-problem-details"), HttpStatusCode.BadRequest,
            "InvalidInput", "Invalid input Count.");
    }

    [Theory]
    [MemberData(nameof(Surfaces))]
    public async Task StringValue_BecomesTheMessage_WithStatusKept(string surface)
    {
        await using var app = await StartAsync();

        await app.AssertErrorLoggedOnceAsync(await app.Client.GetAsync($"/{surface}/unprocessable"), HttpStatusCode.UnprocessableEntity, "BadRequest", "Some details.");
    }

    [Theory]
    [MemberData(nameof(Surfaces))]
    public async Task BadRequestOfModelState_AnswersOneError_NotAnArray(string surface)
    {
        await using var app = await StartAsync();

        await app.AssertErrorLoggedOnceAsync(await app.Client.GetAsync($"/{surface}/model-state"), HttpStatusCode.BadRequest, "InvalidInput", "Invalid input error.");
    }

    [Theory]
    [MemberData(nameof(Surfaces))]
    public async Task SerializableError_WithRequiredMessage_AnswersMissingRequiredParameter(string surface)
    {
        await using var app = await StartAsync();

        await app.AssertErrorLoggedOnceAsync(await app.Client.GetAsync($"/{surface}/serializable-error"), HttpStatusCode.BadRequest,
            "MissingRequiredParameter", "Parameter Comment is missing.");
    }

    [Theory]
    [MemberData(nameof(Surfaces))]
    public async Task ApplicationObject_IsLeftAlone(string surface)
    {
        await using var app = await StartAsync();

        var response = await app.Client.GetAsync($"/{surface}/app-object");

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Equal("{\"reason\":\"the application's own body\"}", await response.Content.ReadAsStringAsync());
        Assert.Empty(app.Logs.FromDefender);
    }

    [Theory]
    [MemberData(nameof(Surfaces))]
    public async Task NotFoundWithoutBody_AnswersNotFound(string surface)
    {
        await using var app = await StartAsync();

        await app.AssertErrorLoggedOnceAsync(await app.Client.GetAsync($"/{surface}/not-found"), HttpStatusCode.NotFound, "NotFound", "General Not Found error message.");
    }

    [Fact]
    public async Task ClientErrorMapping_ReenabledByTheApplication_StillAnswersEnvelope()
    {
        await using var app = await StartAsync(s => s.PostConfigure<ApiBehaviorOptions>(o => o.SuppressMapClientErrors = false));

        await app.AssertErrorLoggedOnceAsync(await app.Client.GetAsync("/api-controller/not-found"), HttpStatusCode.NotFound, "NotFound", "General Not Found error message.");
    }

    [Theory]
    [MemberData(nameof(Surfaces))]
    public async Task NoFormatterForTheAcceptHeader_Answers406Envelope(string surface)
    {
        await using var app = await StartAsync(s => s.Configure<MvcOptions>(o => o.ReturnHttpNotAcceptable = true));
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/{surface}/ok-object");
        request.Headers.Accept.ParseAdd("text/csv");

        await app.AssertErrorLoggedOnceAsync(await app.Client.SendAsync(request), HttpStatusCode.NotAcceptable, "BadRequest",
            "The requested response format is not supported.");
    }

    [Theory]
    [MemberData(nameof(Surfaces))]
    public async Task KeepProblemDetailsExtension_LeavesTheProblem(string surface)
    {
        await using var app = await StartAsync();

        var response = await app.Client.GetAsync($"/{surface}/keep");

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.DoesNotContain("defender", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Surfaces))]
    public async Task InvalidModel_AnswersInvalidInput(string surface)
    {
        await using var app = await StartAsync();

        await app.AssertErrorLoggedOnceAsync(await app.Client.PostAsJsonAsync($"/{surface}/range", new { count = 50 }), HttpStatusCode.BadRequest,
            "InvalidInput", "Invalid input count: 50 is not between 1 and 10.");
    }
}

/// <summary>Only this folder's controllers: other tests add their own to the assembly.</summary>
internal sealed class ErrorResultControllersOnly : IApplicationFeatureProvider<ControllerFeature>
{
    public void PopulateFeature(IEnumerable<ApplicationPart> parts, ControllerFeature feature)
    {
        feature.Controllers.Clear();
        feature.Controllers.Add(System.Reflection.IntrospectionExtensions.GetTypeInfo(typeof(ApiErrorResultsController)));
        feature.Controllers.Add(System.Reflection.IntrospectionExtensions.GetTypeInfo(typeof(PlainErrorResultsController)));
    }
}
