using System.ComponentModel.DataAnnotations;
using System.Text.Json;
using System.Text.Json.Nodes;
using Defender.ErrorMiddleware;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.OpenApi;
using Microsoft.OpenApi.Reader;

namespace Defender.ErrorMiddleware.Swashbuckle.Tests;

/// <summary>The Swashbuckle package on its own (no Microsoft.AspNetCore.OpenApi in the app), with a fallback authorization policy.</summary>
public sealed class SwaggerGenTests : IAsyncLifetime
{
    private WebApplication _app = null!;
    private string _text = null!;

    public async Task InitializeAsync()
    {
        // A fixed name: it becomes the operations' tag, and the golden files must not depend on the test runner.
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { ApplicationName = typeof(SwaggerGenTests).Assembly.GetName().Name });
        builder.WebHost.UseTestServer();
        builder.Logging.ClearProviders();
        builder.Services.AddDefenderErrors(o =>
        {
            o.MessagePreset = DefenderMessagePreset.MicrosoftThreatProtection;
            o.SetDefaultMessage(DefenderErrorCode.NotFound, "Nothing here.");
        });
        builder.Services.AddAuthentication();
        builder.Services.AddAuthorizationBuilder().SetFallbackPolicy(new AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build());
        builder.Services.AddControllers().AddApplicationPart(typeof(SwaggerGenTests).Assembly);
        builder.Services.AddEndpointsApiExplorer();
        builder.Services.AddSwaggerGen(o => o.AddDefenderErrors());

        _app = builder.Build();
        _app.UseDefenderErrors();
        _app.MapSwagger().AllowAnonymous();
        _app.MapGet("/api/ping", () => "pong").AllowAnonymous();
        _app.MapGet("/api/machines/{id}", (int id) => id);
        _app.MapGet("/api/search", (string? q) => q).Produces(StatusCodes.Status404NotFound);
        _app.MapControllers();
        await _app.StartAsync();

        using var client = _app.GetTestClient();
        _text = await client.GetStringAsync(new Uri("/swagger/v1/swagger.json", UriKind.Relative));
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Theory]
    [InlineData("/api/ping", "get", "500:InternalServerError")]
    [InlineData("/api/machines/{id}", "get", "400:InvalidInput;401:Unauthorized;403:Forbidden;404:ResourceNotFound;500:InternalServerError")]
    [InlineData("/api/search", "get", "401:Unauthorized;403:Forbidden;404:NotFound;500:InternalServerError")]
    [InlineData("/api/alerts", "post", "400:InvalidInput,InvalidRequestBody,MissingRequiredParameter;401:Unauthorized;403:Forbidden;500:InternalServerError")]
    [InlineData("/api/alerts/{id}", "delete", "401:Unauthorized;403:Forbidden,DisallowedOperation;404:ResourceNotFound;500:InternalServerError")]
    public void Operation_ListsTheInferredCodes(string path, string method, string expected)
    {
        var responses = JsonNode.Parse(_text)!["paths"]![path]![method]!["responses"]!.AsObject();
        var actual = string.Join(';', responses
            .Where(r => r.Key[0] is '4' or '5')
            .OrderBy(r => r.Key, StringComparer.Ordinal)
            .Select(r => r.Key + ":" + string.Join(',', r.Value!["content"]!["application/json"]!["examples"]!.AsObject().Select(e => e.Key))));
        Assert.Equal(expected, actual);
    }

    [Fact]
    public void Examples_UseThePresetAndOverriddenMessages()
    {
        var document = JsonNode.Parse(_text)!;
        var serverError = document["paths"]!["/api/ping"]!["get"]!["responses"]!["500"]!["content"]!["application/json"]!["examples"]!["InternalServerError"]!["value"]!;
        Assert.Equal("""{"error":{"code":"InternalServerError","message":"No error message, retry the operation or contact us if it does not get resolved.","target":"43f4cb08-8fac-4b65-9db1-745c2ae65f3a"}}""",
            serverError.ToJsonString());
        var notFound = document["paths"]!["/api/search"]!["get"]!["responses"]!["404"]!["content"]!["application/json"]!["examples"]!["NotFound"]!["value"]!;
        Assert.Equal("""{"error":{"code":"NotFound","message":"Nothing here.","target":"43f4cb08-8fac-4b65-9db1-745c2ae65f3a"}}""", notFound.ToJsonString());
    }

    [Fact]
    public void Document_IsValidOpenApi3()
    {
        var result = OpenApiDocument.Parse(_text, "json", new OpenApiReaderSettings());
        Assert.Empty(result.Diagnostic!.Errors);
        Assert.Equal(OpenApiSpecVersion.OpenApi3_0, result.Diagnostic.SpecificationVersion);
        var errors = result.Document!.Validate(ValidationRuleSet.GetDefaultRuleSet())!.ToList();
        Assert.True(errors.Count == 0, string.Join("\n", errors.Select(e => e.Pointer + ": " + e.Message)));
        Assert.Contains("DefenderError", result.Document!.Components!.Schemas!.Keys);
    }

    [Fact]
    public void Document_MatchesGoldenFile()
    {
        GoldenFile.AssertJsonMatches("test/Defender.ErrorMiddleware.Swashbuckle.Tests/Golden/swagger.json", _text);
    }
}

[ApiController]
[Route("api/alerts")]
public sealed class AlertsController : ControllerBase
{
    [HttpPost]
    public ActionResult<string> Create(NewAlert alert) => "ok";

    [HttpDelete("{id}")]
    [ProducesDefenderError(DefenderErrorCode.DisallowedOperation)]
    public IActionResult Delete(string id) => NoContent();
}

public sealed record NewAlert([property: Required] string Title, [Range(1, 5)] int Severity);
