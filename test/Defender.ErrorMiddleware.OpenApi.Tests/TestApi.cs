using System.ComponentModel.DataAnnotations;
using System.Text.Json.Nodes;
using Defender.ErrorMiddleware;
using Defender.ErrorMiddleware.Metadata;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Defender.ErrorMiddleware.OpenApi.Tests;

/// <summary>One small API described by both generators: minimal APIs and a controller covering every inference rule.</summary>
internal static class TestApi
{
    internal const string OpenApiPath = "/openapi/v1.json";
    internal const string SwaggerPath = "/swagger/v1/swagger.json";

    internal static async Task<WebApplication> StartAsync(Action<WebApplication>? map = null, Action<DefenderErrorOptions>? configure = null)
    {
        // A fixed name: it becomes the operations' tag, and the golden files must not depend on the test runner.
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { ApplicationName = typeof(TestApi).Assembly.GetName().Name });
        builder.WebHost.UseTestServer();
        builder.Logging.ClearProviders();
        builder.Services.AddDefenderErrors(o =>
        {
            o.AddErrorCode("ActiveRequestAlreadyExists", 400, "An active request already exists.");
            configure?.Invoke(o);
        });
        builder.Services.AddAuthentication();
        builder.Services.AddAuthorization();
        builder.Services.AddControllers().AddApplicationPart(typeof(TestApi).Assembly);
        builder.Services.AddEndpointsApiExplorer();
        builder.Services.AddOpenApi(o => o.AddDefenderErrors());
        builder.Services.AddSwaggerGen(o => o.AddDefenderErrors());

        var app = builder.Build();
        app.UseDefenderErrors();
        app.UseSwagger();
        app.MapOpenApi();
        (map ?? MapAll)(app);
        await app.StartAsync();
        return app;
    }

    internal static void MapAll(WebApplication app)
    {
        app.MapGet("/api/health", () => "ok");
        app.MapGet("/api/machines/{id}", (string id) => id);
        app.MapGet("/api/alerts/{id:int}", (int id) => id);
        app.MapGet("/api/machines", (int top, string? filter) => top);
        app.MapGet("/api/files", Results<Ok<string>, NotFound> (string? name) => TypedResults.NotFound());
        app.MapGet("/api/conflicts", () => "ok").Produces<ConflictInfo>(StatusCodes.Status409Conflict);
        app.MapPost("/api/machines/{id}/isolate", (string id, IsolateRequest request) => id).RequireAuthorization();
        app.MapPost("/api/machines/{id}/runliveresponse", (string id, LiveResponseRequest request) => id)
            .RequireAuthorization()
            .ProducesDefenderError(DefenderErrorCode.DisabledFeature)
            .ProducesDefenderError("ActiveRequestAlreadyExists");
        app.MapDelete("/api/tags/{name}", (string name) => name).ExcludeDefenderError(DefenderErrorCode.ResourceNotFound);
        app.MapGet("/api/files/{sha1}", ([FileHash(DefenderHashKind.Sha1)] string sha1) => sha1);
        app.MapGet("/api/queries", (ODataLikeQuery query) => "ok");
        app.MapGet("/api/devices", (ODataLikeParameter query) => "ok");

        var secured = app.MapGroup("/api/secured").RequireAuthorization();
        secured.MapGet("/public", () => "ok").AllowAnonymous();

        app.MapControllers().ProducesDefenderError("TooManyRequests");
    }
}

internal sealed record ConflictInfo(string Reason);

internal sealed class IsolateRequest
{
    [Required]
    public string? Comment { get; set; }

    public string? IsolationType { get; set; }
}

internal sealed class LiveResponseRequest
{
    public string? Comment { get; set; }

    [MaxLength(10)]
    public List<LiveResponseCommand> Commands { get; set; } = [];
}

internal sealed class LiveResponseCommand
{
    [FileHash(DefenderHashKind.Sha1)]
    public string? FileSha1 { get; set; }
}

/// <summary>Stands in for the OData package's query type: the type-level hook contributes ODataError.</summary>
[ODataLike]
internal sealed class ODataLikeQuery
{
    public static ValueTask<ODataLikeQuery?> BindAsync(HttpContext context) => ValueTask.FromResult<ODataLikeQuery?>(new ODataLikeQuery());
}

/// <summary>Stands in for the OData package's parameter that adds endpoint metadata: codes and the query options it reads itself.</summary>
internal sealed class ODataLikeParameter : IEndpointParameterMetadataProvider
{
    public static ValueTask<ODataLikeParameter?> BindAsync(HttpContext context) => ValueTask.FromResult<ODataLikeParameter?>(new ODataLikeParameter());

    public static void PopulateMetadata(System.Reflection.ParameterInfo parameter, EndpointBuilder builder) => builder.Metadata.Add(new ODataLikeMetadata());
}

internal sealed class ODataLikeMetadata : IProducesDefenderErrorMetadata, IDefenderQueryParametersMetadata
{
    public IReadOnlyList<string> Codes { get; } = ["ODataError"];

    public bool Exclude => false;

    public IReadOnlyList<DefenderQueryParameter> QueryParameters { get; } =
    [
        new("$filter", DefenderQueryParameterType.String, "Filters the results."),
        new("$top", DefenderQueryParameterType.Integer, "Returns at most this many results.", 0, 10000),
        new("$count", DefenderQueryParameterType.Boolean, "Adds the total count."),
    ];
}

[AttributeUsage(AttributeTargets.Class)]
internal sealed class ODataLikeAttribute : Attribute, IProducesDefenderErrorMetadata
{
    public IReadOnlyList<string> Codes { get; } = ["ODataError"];

    public bool Exclude => false;
}

[ApiController]
[Route("api/indicators")]
[Authorize]
public sealed class IndicatorsController : ControllerBase
{
    [HttpGet("{id:int}")]
    [AllowAnonymous]
    public ActionResult<string> Get(int id) => id.ToString(System.Globalization.CultureInfo.InvariantCulture);

    [HttpPost("import")]
    [ProducesDefenderError(DefenderErrorCode.MaximumBatchSizeExceeded)]
    public ActionResult<string> Import(ImportRequest request) => "ok";

    [HttpDelete("{id}")]
    [ProducesDefenderError(DefenderErrorCode.ResourceNotFound, Exclude = true)]
    [ProducesResponseType(StatusCodes.Status404NotFound)]
    public IActionResult Delete(string id) => NoContent();
}

public sealed class ImportRequest
{
    [Required]
    public List<string>? Indicators { get; set; }
}

/// <summary>Reads documents over HTTP and picks them apart.</summary>
internal static class Documents
{
    internal static async Task<JsonObject> GetAsync(WebApplication app, string path)
    {
        using var client = app.GetTestClient();
        var json = await client.GetStringAsync(new Uri(path, UriKind.Relative));
        return JsonNode.Parse(json)!.AsObject();
    }

    internal static async Task<string> GetTextAsync(WebApplication app, string path)
    {
        using var client = app.GetTestClient();
        return await client.GetStringAsync(new Uri(path, UriKind.Relative));
    }

    /// <summary>status -> codes (from the examples), for one operation.</summary>
    internal static SortedDictionary<string, string[]> ErrorCodes(JsonObject document, string path, string method)
    {
        var responses = document["paths"]![path]![method]!["responses"]!.AsObject();
        var result = new SortedDictionary<string, string[]>(StringComparer.Ordinal);
        foreach (var (status, response) in responses)
        {
            if (status[0] is '4' or '5' && response!["content"]?["application/json"]?["examples"] is JsonObject examples)
            {
                result[status] = [.. examples.Select(e => e.Key)];
            }
        }

        return result;
    }

    internal static IEnumerable<(string Path, string Method, JsonObject Operation)> Operations(JsonObject document)
    {
        foreach (var (path, item) in document["paths"]!.AsObject())
        {
            foreach (var (method, operation) in item!.AsObject())
            {
                if (operation is JsonObject op && op.ContainsKey("responses"))
                {
                    yield return (path, method, op);
                }
            }
        }
    }
}
