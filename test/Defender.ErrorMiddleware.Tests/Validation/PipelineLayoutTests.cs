using System.Net;
using System.Text;
using System.Text.Json;
using Defender.ErrorMiddleware.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Defender.ErrorMiddleware.Tests.Validation;

/// <summary>
/// The same request input under the pipeline layouts applications write: the body is judged by the binder, after the
/// app's own middleware, with the same envelope, headers and one log line carrying the body's target, whatever the layout.
/// </summary>
public sealed class PipelineLayoutTests
{
    private const string ApiKeyHeader = PipelineLayouts.ApiKeyHeader;

    public static readonly string[] Layouts = PipelineLayouts.All;

    /// <summary>The cases: body, status, code, message.</summary>
    private static readonly (string Action, string Body, HttpStatusCode Status, string Code, string Message)[] Cases =
    [
        ("isolate", "{}", HttpStatusCode.BadRequest, "MissingRequiredParameter", "Parameter Comment is missing."),
        ("isolate", "{\"comment\":\"x\"}", HttpStatusCode.BadRequest, "MissingRequiredParameter",
            "Parameter Comment is missing. Found 'comment': body parameters are case-sensitive."),
        ("isolate", "{\"Comment\":null}", HttpStatusCode.BadRequest, "MissingRequiredParameter", "Parameter Comment is missing."),
        ("ctor", "{\"Comment\":\"x\"}", HttpStatusCode.BadRequest, "MissingRequiredParameter", "Parameter Count is missing."),
        ("nested", "{\"Items\":[{\"Comment\":\"a\"},{\"comment\":\"b\"}]}", HttpStatusCode.BadRequest, "MissingRequiredParameter",
            "Parameter Items[1].Comment is missing. Found 'comment': body parameters are case-sensitive."),
        ("isolate", "{\"Comment\":", HttpStatusCode.BadRequest, "InvalidRequestBody", "The request body is not valid JSON at $.Comment (line 1, column 12)."),
        ("isolate", "{\"Comment\":\"a\",\"Comment\":\"b\"}", HttpStatusCode.BadRequest, "InvalidRequestBody",
            "The request body has a value of the wrong type at $.Comment."),
    ];

    public static TheoryData<string, string, bool> Matrix()
    {
        var data = new TheoryData<string, string, bool>();
        foreach (var layout in Layouts)
        {
            foreach (var surface in ValidationTestApp.Surfaces)
            {
                data.Add(layout, surface, false);
                data.Add(layout, surface, true);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Matrix))]
    public async Task Post_AnswersTheSameEnvelopeAndOneLogLine_InEveryLayout(string layout, string surface, bool chunked)
    {
        var log = new LogCapture();
        await using var app = await StartAsync(layout, log);
        using var client = app.GetTestClient();

        foreach (var (action, body, status, code, message) in Cases)
        {
            log.Clear();
            using var response = await client.SendAsync(Post($"/{surface}/{action}", body, chunked, apiKey: true));
            // Behind UseExceptionHandler() the framework's middleware adds its own no-cache to a handled exception's answer.
            await ValidationTestApp.AssertEnvelopeAsync(response, status, code, message,
                layout == "exception-handler" && surface == "minimal" ? "no-store, no-cache" : "no-store");
            await AssertOneLogLineAsync(log, response, $"{layout} {surface} {action} {body}");
        }

        using var valid = await client.SendAsync(Post($"/{surface}/isolate", "{\"Comment\":\"x\",\"isolationType\":\"Full\"}", chunked, apiKey: true));
        Assert.Equal(HttpStatusCode.OK, valid.StatusCode);
        Assert.Equal("{\"Comment\":\"x\"}", await valid.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("minimal")]
    [InlineData("api-controller")]
    [InlineData("controller")]
    public async Task Post_AnswersTheAppsOwn401_BeforeAnyBodyIsJudged(string surface)
    {
        // The row: an API-key check of the app's own after UseDefenderErrors(), routing implicit. An anonymous
        // caller with a malformed or wrong-case body gets the app's 401, never a verdict on the body.
        var log = new LogCapture();
        await using var app = await StartAsync("api-key", log);
        using var client = app.GetTestClient();
        foreach (var body in new[] { "{\"Comment\":", "{\"comment\":\"x\"}" })
        {
            log.Clear();
            using var response = await client.SendAsync(Post($"/{surface}/isolate", body, chunked: false, apiKey: false));
            await ValidationTestApp.AssertEnvelopeAsync(response, HttpStatusCode.Unauthorized, "Unauthorized", "Unauthorized");
            await AssertOneLogLineAsync(log, response, body);
        }
    }

    [Theory]
    [InlineData("minimal")]
    [InlineData("api-controller")]
    [InlineData("controller")]
    public async Task Post_JudgesTheBody_AfterAppMiddlewareThatBuffersAndReadsIt(string surface)
    {
        string? seen = null;
        await using var app = await StartAsync("explicit-routing", new LogCapture(), before: app => app.Use(async (context, next) =>
        {
            context.Request.EnableBuffering();
            seen = await new StreamReader(context.Request.Body, leaveOpen: true).ReadToEndAsync();
            context.Request.Body.Position = 0;
            await next(context);
        }));
        using var client = app.GetTestClient();
        using var response = await client.SendAsync(Post($"/{surface}/isolate", "{\"comment\":\"x\"}", chunked: true, apiKey: true));
        await ValidationTestApp.AssertEnvelopeAsync(response, HttpStatusCode.BadRequest, "MissingRequiredParameter",
            "Parameter Comment is missing. Found 'comment': body parameters are case-sensitive.");
        Assert.Equal("{\"comment\":\"x\"}", seen);
    }

    [Theory]
    [InlineData("minimal", "/minimal/items/1")]
    [InlineData("controller", "/controller/items/1")]
    public async Task Post_IgnoresABody_OnAnEndpointWithoutOne(string surface, string path)
    {
        await using var app = await StartAsync("implicit-routing", new LogCapture(), extra: a => a.MapPost("/minimal/items/{id}", (int id) => Results.Ok(new { id })));
        using var client = app.GetTestClient();
        using var response = await client.SendAsync(Post(path, "{\"Comment\":", chunked: false, apiKey: true));
        Assert.True(surface == "minimal" ? response.StatusCode == HttpStatusCode.OK : response.StatusCode == HttpStatusCode.MethodNotAllowed,
            $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    private static async Task AssertOneLogLineAsync(LogCapture log, HttpResponseMessage response, string because)
    {
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var target = Guid.Parse(document.RootElement.GetProperty("error").GetProperty("target").GetString()!);
        var entry = Assert.Single(log.FromDefender, e => e.Level >= LogLevel.Warning);
        Assert.True(target == entry.Target, because);
    }

    private static HttpRequestMessage Post(string path, string body, bool chunked, bool apiKey)
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StreamContent(new MemoryStream(bytes)) };
        request.Content.Headers.TryAddWithoutValidation("Content-Type", "application/json");
        if (chunked)
        {
            request.Headers.TransferEncodingChunked = true;
        }
        else
        {
            request.Content.Headers.ContentLength = bytes.Length;
        }

        if (apiKey)
        {
            request.Headers.TryAddWithoutValidation(ApiKeyHeader, "key");
        }

        return request;
    }

    private static async Task<WebApplication> StartAsync(
        string layout, LogCapture log, Action<WebApplication>? before = null, Action<WebApplication>? extra = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Production" });
        builder.WebHost.UseTestServer();
        builder.Logging.ClearProviders();
        builder.Logging.AddProvider(log);
        builder.Services.AddDefenderErrors();
        builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.PropertyNamingPolicy = null);
        builder.Services.AddControllers()
            .ConfigureApplicationPartManager(m => m.FeatureProviders.Add(new ValidationControllersOnly()))
            .AddJsonOptions(o => o.JsonSerializerOptions.PropertyNamingPolicy = null);
        PipelineLayouts.AddServices(layout, builder.Services);

        var app = builder.Build();
        PipelineLayouts.Use(layout, app, a => a.UseDefenderErrors(), before);

        extra?.Invoke(app);
        app.MapPost("/minimal/isolate", (IsolateRequest request) => Results.Ok(new { request.Comment }));
        app.MapPost("/minimal/ctor", (CtorRequest request) => Results.Ok(new { request.Comment }));
        app.MapPost("/minimal/nested", (NestedRequest request) => Results.Ok(new { request.Items.Count }));
        app.MapControllers();
        await app.StartAsync();
        return app;
    }
}
