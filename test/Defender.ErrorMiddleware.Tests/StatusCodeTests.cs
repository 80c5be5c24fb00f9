using System.Net;
using System.Security.Claims;
using System.Text.Encodings.Web;
using Defender.ErrorMiddleware.Tests.Infrastructure;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Defender.ErrorMiddleware.Tests;

/// <summary>Bodiless error statuses from routing, authentication, authorization and endpoints get the envelope.</summary>
public sealed class StatusCodeTests
{
    [Fact]
    public async Task UnknownRoute_AnswersNotFound()
    {
        await using var app = await TestApp.StartAsync(a => a.MapGet("/known", () => "ok"));

        var target = await DefenderEnvelope.AssertErrorAsync(await app.Client.GetAsync("/api/nothing/here"), HttpStatusCode.NotFound,
            "NotFound", "General Not Found error message.");

        Assert.Equal(target, Assert.Single(app.Logs.FromDefender).State["Target"]);
    }

    [Fact]
    public async Task WrongMethod_Keeps405AndAllowHeader()
    {
        await using var app = await TestApp.StartAsync(a => a.MapGet("/only-get", () => "ok"));

        var response = await app.Client.DeleteAsync("/only-get");

        await DefenderEnvelope.AssertErrorAsync(response, HttpStatusCode.MethodNotAllowed, "BadRequest", "The HTTP method is not allowed for this resource.");
        Assert.Equal(["GET"], response.Content.Headers.Allow);
    }

    [Fact]
    public async Task Challenge_AnswersUnauthorized_KeepingWwwAuthenticate()
    {
        await using var app = await StartWithAuthAsync();

        var response = await app.Client.GetAsync("/secure");

        await DefenderEnvelope.AssertErrorAsync(response, HttpStatusCode.Unauthorized, "Unauthorized", "Unauthorized");
        Assert.Equal("Bearer realm=\"test\"", response.Headers.WwwAuthenticate.ToString());
    }

    [Fact]
    public async Task Forbid_AnswersForbidden()
    {
        await using var app = await StartWithAuthAsync();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/admin");
        request.Headers.Authorization = new("Bearer", "reader");

        await DefenderEnvelope.AssertErrorAsync(await app.Client.SendAsync(request), HttpStatusCode.Forbidden, "Forbidden", "Forbidden");
    }

    [Fact]
    public async Task CorsHeaders_SurviveAnExceptionThatClearsTheResponse()
    {
        await using var app = await TestApp.StartAsync(
            a => a.MapGet("/cors-boom", string (HttpContext context) =>
            {
                context.Response.Headers["X-Half-Built"] = "yes";
                throw new DefenderException(DefenderError.ResourceNotFound("Machine", "7"));
            }),
            configureServices: s => s.AddCors(o => o.AddDefaultPolicy(p => p.WithOrigins("http://localhost:5173").WithExposedHeaders("x-ms-error-code"))),
            configurePipeline: a => a.UseCors());
        using var request = new HttpRequestMessage(HttpMethod.Get, "/cors-boom");
        request.Headers.Add("Origin", "http://localhost:5173");

        var response = await app.Client.SendAsync(request);

        await DefenderEnvelope.AssertErrorAsync(response, HttpStatusCode.NotFound, "ResourceNotFound", "Machine 7 was not found");
        Assert.Equal(["http://localhost:5173"], response.Headers.GetValues("Access-Control-Allow-Origin"));
        Assert.Equal(["x-ms-error-code"], response.Headers.GetValues("Access-Control-Expose-Headers"));
        Assert.False(response.Headers.Contains("X-Half-Built"));
    }

    [Fact]
    public async Task ResponseWithBody_IsLeftAlone()
    {
        await using var app = await TestApp.StartAsync(a => a.MapGet("/teapot", () => Results.Text("short and stout", statusCode: 418)));

        var response = await app.Client.GetAsync("/teapot");

        Assert.Equal((HttpStatusCode)418, response.StatusCode);
        Assert.Equal("short and stout", await response.Content.ReadAsStringAsync());
        Assert.Empty(app.Logs.FromDefender);
    }

    [Fact]
    public async Task StatusCodePagesFeatureDisabled_LeavesBodilessResponseAlone()
    {
        await using var app = await TestApp.StartAsync(a => a.MapGet("/raw-404", (HttpContext context) =>
        {
            context.Features.Set<IStatusCodePagesFeature>(new StatusCodePagesFeature { Enabled = false });
            return Results.NotFound();
        }));

        var response = await app.Client.GetAsync("/raw-404");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Empty(await response.Content.ReadAsByteArrayAsync());
    }

    [Theory]
    [InlineData(409, "BadRequest", "General Bad Request error message.")]
    [InlineData(415, "InvalidRequestBody", "The request body's Content-Type is not supported; send application/json.")]
    [InlineData(429, "TooManyRequests", "Too many requests. Retry after the time the Retry-After header gives.")]
    [InlineData(503, "InternalServerError", "")]
    public async Task BodilessStatus_KeepsStatus_WithMappedCode(int status, string code, string message)
    {
        await using var app = await TestApp.StartAsync(a => a.MapGet("/status", () => Results.StatusCode(status)));

        await DefenderEnvelope.AssertErrorAsync(await app.Client.GetAsync("/status"), (HttpStatusCode)status, code, message);
    }

    [Fact]
    public async Task StatusCodeErrors_CanBeChanged()
    {
        await using var app = await TestApp.StartAsync(
            a => a.MapGet("/gone", () => Results.StatusCode(410)),
            o => o.StatusCodeErrors[410] = new DefenderError(DefenderErrorCode.ResourceNotFound, "The resource is gone."));

        await DefenderEnvelope.AssertErrorAsync(await app.Client.GetAsync("/gone"), HttpStatusCode.Gone, "ResourceNotFound",
            "The resource is gone.");
    }

    [Fact]
    public async Task HandleStatusCodesOff_LeavesBodilessResponsesAlone()
    {
        await using var app = await TestApp.StartAsync(a => a.MapGet("/x", () => "x"), o => o.HandleStatusCodes = false);

        var response = await app.Client.GetAsync("/missing");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Empty(await response.Content.ReadAsByteArrayAsync());
    }

    private static Task<TestApp> StartWithAuthAsync() => TestApp.StartAsync(
        a =>
        {
            a.MapGet("/secure", () => "ok").RequireAuthorization();
            a.MapGet("/admin", () => "ok").RequireAuthorization(p => p.RequireRole("admin"));
        },
        configureServices: s =>
        {
            s.AddAuthentication("Test").AddScheme<AuthenticationSchemeOptions, TestAuthHandler>("Test", null);
            s.AddAuthorization();
        },
        configurePipeline: a =>
        {
            a.UseAuthentication();
            a.UseAuthorization();
        });

    private sealed class TestAuthHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder)
        : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
    {
        protected override Task<AuthenticateResult> HandleAuthenticateAsync()
        {
            var header = Request.Headers.Authorization.ToString();
            if (header != "Bearer reader")
            {
                return Task.FromResult(AuthenticateResult.NoResult());
            }

            var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, "reader")], "Test");
            return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), "Test")));
        }

        protected override Task HandleChallengeAsync(AuthenticationProperties properties)
        {
            Response.StatusCode = 401;
            Response.Headers.WWWAuthenticate = "Bearer realm=\"test\"";
            return Task.CompletedTask;
        }
    }

    private sealed class StatusCodePagesFeature : IStatusCodePagesFeature
    {
        public bool Enabled { get; set; } = true;
    }
}

public sealed class CharsetTests
{
    public sealed record Note(string Text);

    [Fact]
    public async Task UnknownCharset_Answers415InvalidRequestBody()
    {
        await using var app = await TestApp.StartAsync(a => a.MapPost("/notes", (Note note) => note.Text));
        using var content = new ByteArrayContent("""{"Text":"x"}"""u8.ToArray());
        content.Headers.TryAddWithoutValidation("Content-Type", "application/json; charset=nonsense");

        var response = await app.Client.PostAsync("/notes", content);

        var entry = app.Logs.FromDefender.FirstOrDefault();
        Assert.True(response.StatusCode == HttpStatusCode.UnsupportedMediaType, entry?.Exception?.ToString());
        await DefenderEnvelope.AssertErrorAsync(response, HttpStatusCode.UnsupportedMediaType, "InvalidRequestBody",
            "The request body's charset nonsense is not supported; send UTF-8 JSON.");
    }
}
