using System.Net;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Defender.ErrorMiddleware.Tests.Framework;

/// <summary>
/// Every producer of docs/getting-started.md's "what becomes the envelope" table, over Kestrel, in one app configured as a
/// new user would write it: AddProblemDetails(), AddValidation(), controllers, UseStatusCodePages() behind UseDefenderErrors().
/// </summary>
public sealed class EnvelopeProducersKestrelTests
{
    public static TheoryData<string, string, string?, HttpStatusCode, string, string> Rows() => new()
    {
        { "GET", "/minimal/problem", null, HttpStatusCode.Conflict, "BadRequest", "Machine 1 is already isolated." },
        { "GET", "/minimal/typed-problem", null, HttpStatusCode.ServiceUnavailable, "InternalServerError", "Maintenance window." },
        { "GET", "/minimal/validation-problem", null, HttpStatusCode.BadRequest, "MissingRequiredParameter", "Parameter Comment is missing." },
        { "GET", "/minimal/results-validation-problem", null, HttpStatusCode.BadRequest, "InvalidInput", "Invalid input top." },
        { "POST", "/minimal/indicators", "{\"title\":\"t\",\"count\":50}", HttpStatusCode.BadRequest, "InvalidInput", "Invalid input count: 50 is not between 1 and 10." },
        { "POST", "/minimal/indicators", "{\"title\":\"t\",\"sha256\":\"zz\"}", HttpStatusCode.BadRequest, "InvalidHashValue", "Hash value zz is invalid." },
        { "GET", "/minimal/gone", null, HttpStatusCode.Gone, "BadRequest", "General Bad Request error message." },
        { "GET", "/api-controller/problem", null, HttpStatusCode.Conflict, "BadRequest", "Machine 1 is already isolated." },
        { "GET", "/controller/problem", null, HttpStatusCode.Conflict, "BadRequest", "Machine 1 is already isolated." },
        { "GET", "/api-controller/validation-problem", null, HttpStatusCode.BadRequest, "MissingRequiredParameter", "Parameter Comment is missing." },
        { "POST", "/api-controller/range", "{\"count\":50}", HttpStatusCode.BadRequest, "InvalidInput", "Invalid input count: 50 is not between 1 and 10." },
        { "GET", "/controller/unprocessable", null, HttpStatusCode.UnprocessableEntity, "BadRequest", "Some details." },
        { "GET", "/controller/model-state", null, HttpStatusCode.BadRequest, "InvalidInput", "Invalid input error." },
        { "GET", "/api-controller/not-found", null, HttpStatusCode.NotFound, "NotFound", "General Not Found error message." },
    };

    [Theory]
    [MemberData(nameof(Rows))]
    public async Task Producer_AnswersEnvelope_OverKestrel(string method, string path, string? body, HttpStatusCode status, string code, string message)
    {
        await using var app = await FrameworkApp.StartAsync(
            services =>
            {
                services.AddProblemDetails();
                services.AddDefenderErrors();
                AddValidationTests.AddFrameworkValidation(services);
                services.AddControllers().ConfigureApplicationPartManager(m => m.FeatureProviders.Add(new ErrorResultControllersOnly()));
            },
            app =>
            {
                app.UseDefenderErrors();
                app.UseStatusCodePages();
                var minimal = app.MapGroup("/minimal");
                minimal.MapGet("/problem", () => Results.Problem(statusCode: 409, detail: "Machine 1 is already isolated."));
                minimal.MapGet("/typed-problem", () => TypedResults.Problem(title: "Maintenance window.", statusCode: 503));
                minimal.MapGet("/validation-problem", () => TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["Comment"] = ["The Comment field is required."] }));
                minimal.MapGet("/results-validation-problem", () => Results.ValidationProblem(new Dictionary<string, string[]> { ["top"] = ["top must be positive."] }));
                minimal.MapPost("/indicators", (FrameworkIndicator indicator) => Results.Ok(indicator.Title));
                minimal.MapGet("/gone", () => Results.StatusCode(410));
                app.MapControllers();
            },
            kestrel: true);
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        }

        await app.AssertErrorLoggedOnceAsync(await app.Client.SendAsync(request), status, code, message);
    }

    [Fact]
    public async Task DeveloperExceptionPage_WritesThroughTheChannel_WithoutExceptionText()
    {
        await using var app = await FrameworkApp.StartAsync(
            services => services.AddDefenderErrors(),
            app =>
            {
                // Throws outside UseDefenderErrors(): the developer page WebApplication adds in Development catches it.
                app.Use((context, next) => context.Request.Path == "/early" ? throw new InvalidOperationException("secret early") : next(context));
                app.UseDefenderErrors();
            },
            kestrel: true,
            environment: "Development");
        using var request = new HttpRequestMessage(HttpMethod.Get, "/early");
        request.Headers.Accept.ParseAdd("application/json");

        var response = await app.Client.SendAsync(request);

        await app.AssertErrorLoggedOnceAsync(response, HttpStatusCode.InternalServerError, "InternalServerError", "");
        Assert.Contains(app.Logs.FromDefender, e => e.Level == LogLevel.Error && e.Exception?.Message == "secret early");
    }
}
