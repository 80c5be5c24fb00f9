using System.Net;
using Defender.ErrorMiddleware.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Defender.ErrorMiddleware.Tests.Framework;

/// <summary>Everything ASP.NET Core writes through IProblemDetailsService becomes the envelope, whatever the registration order.</summary>
public sealed class ProblemDetailsChannelTests
{
    private static void MapProducers(WebApplication app)
    {
        app.MapGet("/problem", () => Results.Problem(statusCode: 409, detail: "Machine 1 is already isolated."));
        app.MapGet("/problem-title", () => TypedResults.Problem(title: "Maintenance window.", statusCode: 503));
        app.MapGet("/problem-default", () => Results.Problem());
        app.MapGet("/problem-long", () => Results.Problem(statusCode: 400, detail: new string('x', 300) + "\nforged"));
        app.MapGet("/validation-required", () => TypedResults.ValidationProblem(new Dictionary<string, string[]>
        {
            ["Comment"] = ["The Comment field is required."],
            ["Count"] = ["The field Count must be between 1 and 10."],
        }));
        app.MapGet("/validation-other", () => Results.ValidationProblem(new Dictionary<string, string[]>
        {
            ["Items[1].Sha256"] = [],
            ["top"] = ["top must be positive."],
        }));
        app.MapGet("/validation-empty", () => TypedResults.ValidationProblem(new Dictionary<string, string[]>()));
        app.MapGet("/gone", () => Results.StatusCode(410));
        app.MapGet("/throw", IResult () => throw new InvalidOperationException("secret detail"));
        app.MapGet("/keep", () =>
        {
            var problem = new ProblemDetails { Status = 409, Detail = "Kept as a problem." };
            problem.Extensions[DefenderErrorOptions.KeepProblemDetailsExtension] = true;
            return Results.Problem(problem);
        });
        app.MapGet("/validators", (HttpContext context) =>
        {
            context.Response.Headers.ETag = "\"v1\"";
            context.Response.Headers.LastModified = "Tue, 01 Dec 2026 08:00:00 GMT";
            context.Response.Headers.Expires = "Tue, 01 Dec 2099 08:00:00 GMT";
            context.Response.Headers.RetryAfter = "30";
            return Results.Problem(statusCode: 412, detail: "The machine changed.");
        });
    }

    private static Task<FrameworkApp> StartAsync(Action<IServiceCollection>? services = null, Action<WebApplication>? pipeline = null) =>
        FrameworkApp.StartAsync(
            services ?? (s => s.AddDefenderErrors()),
            app =>
            {
                if (pipeline is null)
                {
                    app.UseDefenderErrors();
                }
                else
                {
                    pipeline(app);
                }

                MapProducers(app);
            });

    [Fact]
    public async Task ResultsProblem_AnswersEnvelope_WithStatusKeptAndDetailAsMessage()
    {
        await using var app = await StartAsync();

        await app.AssertErrorLoggedOnceAsync(await app.Client.GetAsync("/problem"), HttpStatusCode.Conflict, "BadRequest", "Machine 1 is already isolated.");
    }

    [Fact]
    public async Task TypedResultsProblem_UsesApplicationTitle_WhenThereIsNoDetail()
    {
        await using var app = await StartAsync();

        await app.AssertErrorLoggedOnceAsync(await app.Client.GetAsync("/problem-title"), HttpStatusCode.ServiceUnavailable, "InternalServerError", "Maintenance window.");
    }

    [Fact]
    public async Task ResultsProblem_WithFrameworkDefaultTitle_UsesTheCodesDefaultMessage()
    {
        await using var app = await StartAsync();

        await app.AssertErrorLoggedOnceAsync(await app.Client.GetAsync("/problem-default"), HttpStatusCode.InternalServerError, "InternalServerError", "");
    }

    [Fact]
    public async Task ResultsProblem_LongDetail_IsEchoedUnderTheUsualBounds()
    {
        await using var app = await StartAsync();

        await app.AssertErrorLoggedOnceAsync(await app.Client.GetAsync("/problem-long"), HttpStatusCode.BadRequest, "BadRequest", new string('x', 128) + "…");
    }

    [Fact]
    public async Task ValidationProblem_RequiredMessage_IsMissingRequiredParameter_ForTheFirstMember()
    {
        await using var app = await StartAsync();

        await app.AssertErrorLoggedOnceAsync(await app.Client.GetAsync("/validation-required"), HttpStatusCode.BadRequest,
            "MissingRequiredParameter", "Parameter Comment is missing.");
    }

    [Fact]
    public async Task ValidationProblem_OtherMessage_IsInvalidInput_NamingTheFirstMemberWithAMessage()
    {
        await using var app = await StartAsync();

        await app.AssertErrorLoggedOnceAsync(await app.Client.GetAsync("/validation-other"), HttpStatusCode.BadRequest, "InvalidInput", "Invalid input top.");
    }

    [Fact]
    public async Task ValidationProblem_WithoutErrors_IsBadRequest()
    {
        await using var app = await StartAsync();

        await app.AssertErrorLoggedOnceAsync(await app.Client.GetAsync("/validation-empty"), HttpStatusCode.BadRequest,
            "BadRequest", "General Bad Request error message.");
    }

    [Fact]
    public async Task Problem_ReplacingAResponse_DropsItsValidators_AndKeepsPreservedHeaders()
    {
        await using var app = await StartAsync();

        var response = await app.Client.GetAsync("/validators");

        await app.AssertErrorLoggedOnceAsync(response, HttpStatusCode.PreconditionFailed, "BadRequest", "The machine changed.");
        Assert.Null(response.Headers.ETag);
        Assert.Null(response.Content.Headers.LastModified);
        Assert.Null(response.Content.Headers.Expires);
        Assert.Equal("30", response.Headers.RetryAfter?.ToString());
    }

    [Fact]
    public async Task KeepProblemDetailsExtension_LeavesThatProblem_WithoutTheKey()
    {
        await using var app = await StartAsync();

        var response = await app.Client.GetAsync("/keep");

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var body = await response.Content.ReadAsStringAsync();
        Assert.Contains("\"detail\":\"Kept as a problem.\"", body, StringComparison.Ordinal);
        Assert.DoesNotContain("defender", body, StringComparison.Ordinal);
        Assert.Empty(app.Logs.FromDefender);
    }

    [Fact]
    public async Task ConvertProblemDetailsOff_LeavesEveryProblem()
    {
        await using var app = await StartAsync(s => s.AddDefenderErrors(o => o.ConvertProblemDetails = false));

        var response = await app.Client.GetAsync("/problem");

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task UseExceptionHandler_WithoutOptions_StartsAndAnswersEnvelope_AfterAddDefenderErrorsAlone()
    {
        await using var app = await StartAsync(pipeline: a => a.UseExceptionHandler());

        var response = await app.Client.GetAsync("/throw");

        await app.AssertErrorLoggedOnceAsync(response, HttpStatusCode.InternalServerError, "InternalServerError", "");
        Assert.DoesNotContain(app.Logs.Entries, e => e.Level >= LogLevel.Error && e.Category != "Defender.ErrorMiddleware");
    }

    [Fact]
    public async Task UseExceptionHandler_ForAnExceptionOurHandlerDeclines_AnswersEnvelopeWithoutTheExceptionText()
    {
        await using var app = await StartAsync(
            s => s.AddDefenderErrors(o => o.Rethrow<InvalidOperationException>()),
            a => a.UseExceptionHandler());

        var response = await app.Client.GetAsync("/throw");

        var target = await FrameworkApp.AssertErrorAsync(response, HttpStatusCode.InternalServerError, "InternalServerError", "");
        Assert.Contains(app.Logs.FromDefender, e => e.EventId.Id == 2 && target.Equals(e.State["Target"]) && e.Exception?.Message == "secret detail");
    }

    public static TheoryData<string, string, string> Orders()
    {
        var data = new TheoryData<string, string, string>();
        foreach (var registration in new[] { "ProblemDetailsFirst", "ProblemDetailsAfter", "ControllersAndProblemDetailsFirst", "DefenderOnly" })
        {
            foreach (var pipeline in new[] { "Defender+StatusCodePages", "StatusCodePages+Defender", "ExceptionHandler+StatusCodePages", "ExceptionHandler+Defender", "Defender+ExceptionHandler" })
            {
                foreach (var path in new[] { "/throw", "/gone", "/problem" })
                {
                    data.Add(registration, pipeline, path);
                }
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Orders))]
    public async Task AnyRegistrationAndPipelineOrder_AnswersEnvelope(string registration, string pipeline, string path)
    {
        await using var app = await StartAsync(
            services =>
            {
                switch (registration)
                {
                    case "ProblemDetailsFirst":
                        services.AddProblemDetails();
                        services.AddDefenderErrors();
                        break;
                    case "ProblemDetailsAfter":
                        services.AddDefenderErrors();
                        services.AddProblemDetails(o => o.CustomizeProblemDetails = c => c.ProblemDetails.Extensions["leak"] = "yes");
                        break;
                    case "ControllersAndProblemDetailsFirst":
                        services.AddControllers();
                        services.AddProblemDetails();
                        services.AddDefenderErrors();
                        break;
                    default:
                        services.AddDefenderErrors();
                        break;
                }
            },
            app =>
            {
                foreach (var step in pipeline.Split('+'))
                {
                    _ = step switch
                    {
                        "Defender" => app.UseDefenderErrors(),
                        "StatusCodePages" => app.UseStatusCodePages(),
                        _ => app.UseExceptionHandler(),
                    };
                }
            });

        var response = await app.Client.GetAsync(path);

        _ = path switch
        {
            "/throw" => await app.AssertErrorLoggedOnceAsync(response, HttpStatusCode.InternalServerError, "InternalServerError", ""),
            "/gone" => await app.AssertErrorLoggedOnceAsync(response, HttpStatusCode.Gone, "BadRequest", "General Bad Request error message."),
            _ => await app.AssertErrorLoggedOnceAsync(response, HttpStatusCode.Conflict, "BadRequest", "Machine 1 is already isolated."),
        };
    }
}
