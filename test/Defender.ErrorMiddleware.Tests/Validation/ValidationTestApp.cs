using System.ComponentModel.DataAnnotations;
using System.Net;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using Defender.ErrorMiddleware;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.ApplicationParts;
using Microsoft.AspNetCore.Mvc.Controllers;
using Microsoft.AspNetCore.Mvc.ModelBinding;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Defender.ErrorMiddleware.Tests.Validation;

public enum Severity
{
    Low,
    High,
}

public sealed class IsolateRequest
{
    public required string Comment { get; set; }

    public string? IsolationType { get; set; }
}

public sealed class AnnotatedRequest
{
    [Required]
    public string? Comment { get; set; }
}

public sealed class JsonRequiredRequest
{
    [JsonRequired]
    public string? Name { get; set; }
}

public sealed record CtorRequest(string Comment, int Count, string? Note = null);

public sealed class NestedRequest
{
    public required List<IsolateRequest> Items { get; set; }

    public JsonElement? Extra { get; set; }
}

public sealed class IndicatorRequest
{
    [FileHash(DefenderHashKind.Sha256)]
    public string? Sha256 { get; set; }

    [DomainName]
    public string? Domain { get; set; }

    [IpAddress]
    public string? Ip { get; set; }

    [HttpUrl]
    public string? Url { get; set; }

    [MaxBatchSize(3)]
    public List<string>? Machines { get; set; }

    [Range(1, 10)]
    public int? Count { get; set; }
}

/// <summary>An application's own attribute that answers a documented code (IDefenderErrorCodeSource): 8 hex digits.</summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Parameter)]
public sealed class ShortHashAttribute : ValidationAttribute, Defender.ErrorMiddleware.Metadata.IDefenderErrorCodeSource
{
    public DefenderErrorCode Code => DefenderErrorCode.InvalidHashValue;

    public override bool IsValid(object? value) => value is null || (value is string { Length: 8 } text && text.All(char.IsAsciiHexDigit));
}

/// <summary>Standard attributes and an application's own: messages name the member by its JSON name.</summary>
public sealed class TicketRequest
{
    [Range(1, 10)]
    public int Priority { get; set; }

    [JsonPropertyName("machineTag")]
    [StringLength(5)]
    public string? Tag { get; set; }

    [ShortHash]
    public string? Checksum { get; set; }
}

public sealed class CrossFieldRequest : IValidatableObject
{
    public required string IndicatorType { get; set; }

    public required string IndicatorValue { get; set; }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!DefenderValidators.TryValidateIndicator(IndicatorType, IndicatorValue, out var error))
        {
            yield return DefenderValidators.ToValidationResult(error, nameof(IndicatorValue));
        }
    }
}

/// <summary>The same actions as the minimal endpoints, on a controller with [ApiController].</summary>
[ApiController]
[Route("api-controller")]
public sealed class ApiValidationController : ControllerBase
{
    [HttpPost("isolate")]
    public IActionResult Isolate(IsolateRequest request) => Ok(new { request.Comment });

    [HttpPost("annotated")]
    public IActionResult Annotated(AnnotatedRequest request) => Ok(new { request.Comment });

    [HttpPost("json-required")]
    public IActionResult JsonRequired(JsonRequiredRequest request) => Ok(new { request.Name });

    [HttpPost("ctor")]
    public IActionResult Ctor(CtorRequest request) => Ok(new { request.Comment });

    [HttpPost("nested")]
    public IActionResult Nested(NestedRequest request) => Ok(new { request.Items.Count });

    [HttpPost("indicator")]
    public IActionResult Indicator(IndicatorRequest request) => Ok(new { request.Sha256 });

    [HttpPost("cross")]
    public IActionResult Cross(CrossFieldRequest request) => Ok(new { request.IndicatorType });

    [HttpPost("ticket")]
    public IActionResult Ticket(TicketRequest request) => Ok(new { request.Priority });

    [HttpGet("page")]
    public IActionResult Page([FromQuery(Name = "page"), Range(1, 10)] int number, [FromQuery, ShortHash] string? checksum) => Ok(new { number });

    [HttpGet("items/{id}")]
    public IActionResult Item(int id) => Ok(new { id });

    [HttpGet("machines/{id:int}")]
    public IActionResult Machine(int id) => Ok(new { id });

    [HttpGet("search")]
    public IActionResult Search([FromQuery, BindRequired] int top, [FromQuery] Severity? severity, [FromQuery, IpAddress] string? ip) =>
        Ok(new { top });

    [HttpGet("named")]
    public IActionResult Named([FromQuery, Required] string? name) => Ok(new { name });
}

/// <summary>The same actions on a controller without [ApiController]: the global filter answers.</summary>
[Route("controller")]
public sealed class PlainValidationController : Controller
{
    [HttpPost("isolate")]
    public IActionResult Isolate([FromBody] IsolateRequest request) => Ok(new { request.Comment });

    [HttpPost("annotated")]
    public IActionResult Annotated([FromBody] AnnotatedRequest request) => Ok(new { request.Comment });

    [HttpPost("json-required")]
    public IActionResult JsonRequired([FromBody] JsonRequiredRequest request) => Ok(new { request.Name });

    [HttpPost("ctor")]
    public IActionResult Ctor([FromBody] CtorRequest request) => Ok(new { request.Comment });

    [HttpPost("nested")]
    public IActionResult Nested([FromBody] NestedRequest request) => Ok(new { request.Items.Count });

    [HttpPost("indicator")]
    public IActionResult Indicator([FromBody] IndicatorRequest request) => Ok(new { request.Sha256 });

    [HttpPost("cross")]
    public IActionResult Cross([FromBody] CrossFieldRequest request) => Ok(new { request.IndicatorType });

    [HttpPost("ticket")]
    public IActionResult Ticket([FromBody] TicketRequest request) => Ok(new { request.Priority });

    [HttpGet("page")]
    public IActionResult Page([FromQuery(Name = "page"), Range(1, 10)] int number, [FromQuery, ShortHash] string? checksum) => Ok(new { number });

    [HttpGet("items/{id}")]
    public IActionResult Item(int id) => Ok(new { id });

    [HttpGet("machines/{id:int}")]
    public IActionResult Machine(int id) => Ok(new { id });

    [HttpGet("search")]
    public IActionResult Search([FromQuery, BindRequired] int top, [FromQuery] Severity? severity, [FromQuery, IpAddress] string? ip) =>
        Ok(new { top });

    [HttpGet("named")]
    public IActionResult Named([FromQuery, Required] string? name) => Ok(new { name });
}

/// <summary>Only this folder's controllers: the lead's tests may add their own to the assembly.</summary>
internal sealed class ValidationControllersOnly : IApplicationFeatureProvider<ControllerFeature>
{
    public void PopulateFeature(IEnumerable<ApplicationPart> parts, ControllerFeature feature)
    {
        feature.Controllers.Clear();
        feature.Controllers.Add(System.Reflection.IntrospectionExtensions.GetTypeInfo(typeof(ApiValidationController)));
        feature.Controllers.Add(System.Reflection.IntrospectionExtensions.GetTypeInfo(typeof(PlainValidationController)));
    }
}

/// <summary>A small host with the three surfaces: /minimal (validated by .NET 10's AddValidation()), /api-controller and /controller.</summary>
internal static class ValidationTestApp
{
    internal static readonly string[] Surfaces = ["minimal", "api-controller", "controller"];

    internal static async Task<WebApplication> StartAsync(
        Action<DefenderErrorOptions>? configure = null, Action<WebApplicationBuilder>? host = null, Action<WebApplication>? map = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Production" });
        if (host is null)
        {
            builder.WebHost.UseTestServer();
        }
        else
        {
            host(builder);
        }

        builder.Logging.ClearProviders();
        builder.Services.AddDefenderErrors(configure ?? (_ => { }));
        Framework.AddValidationTests.AddFrameworkValidation(builder.Services);
        // The Defender APIs document PascalCase names; a null naming policy makes the wire names the C# names.
        builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.PropertyNamingPolicy = null);
        builder.Services.AddControllers()
            .ConfigureApplicationPartManager(m =>
            {
                m.FeatureProviders.Add(new ValidationControllersOnly());
            })
            .AddJsonOptions(o => o.JsonSerializerOptions.PropertyNamingPolicy = null);

        var app = builder.Build();
        app.UseDefenderErrors();
        map?.Invoke(app);

        var api = app.MapGroup("/minimal");
        api.MapPost("/isolate", (IsolateRequest request) => Results.Ok(new { request.Comment }));
        api.MapPost("/annotated", (AnnotatedRequest request) => Results.Ok(new { request.Comment }));
        api.MapPost("/json-required", (JsonRequiredRequest request) => Results.Ok(new { request.Name }));
        api.MapPost("/ctor", (CtorRequest request) => Results.Ok(new { request.Comment }));
        api.MapPost("/nested", (NestedRequest request) => Results.Ok(new { request.Items.Count }));
        api.MapPost("/indicator", (IndicatorRequest request) => Results.Ok(new { request.Sha256 }));
        api.MapPost("/cross", (CrossFieldRequest request) => Results.Ok(new { request.IndicatorType }));
        api.MapPost("/ticket", (TicketRequest request) => Results.Ok(new { request.Priority }));
        api.MapGet("/page", ([FromQuery(Name = "page"), Range(1, 10)] int number, [FromQuery, ShortHash] string? checksum) => Results.Ok(new { number }));
        api.MapGet("/items/{id}", (int id) => Results.Ok(new { id }));
        api.MapGet("/machines/{id:int}", (int id) => Results.Ok(new { id }));
        api.MapGet("/search", (int top, Severity? severity, [IpAddress] string? ip) => Results.Ok(new { top }));
        api.MapGet("/named", ([FromQuery, Required] string? name) => Results.Ok(new { name }));
        app.MapControllers();

        await app.StartAsync();
        return app;
    }

    internal static HttpClient Client(this WebApplication app) => app.GetTestClient();

    internal static HttpRequestMessage Post(string path, string? body, string contentType = "application/json")
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path);
        if (body is not null)
        {
            request.Content = new ByteArrayContent(Encoding.UTF8.GetBytes(body));
            request.Content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        }

        return request;
    }

    /// <summary>Asserts the exact envelope: status, headers and the whole body (the target checked as a GUID, then compared).</summary>
    internal static async Task AssertEnvelopeAsync(HttpResponseMessage response, HttpStatusCode status, string code, string message, string cacheControl = "no-store")
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"Expected {(int)status}, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/json; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        Assert.Equal(code, Assert.Single(response.Headers.GetValues("x-ms-error-code")));
        Assert.Equal(cacheControl, response.Headers.CacheControl?.ToString());

        using var document = JsonDocument.Parse(body);
        var target = document.RootElement.GetProperty("error").GetProperty("target").GetString()!;
        Assert.Matches("^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", target);
        var expected = "{\"error\":{\"code\":" + Encode(code) + ",\"message\":" + Encode(message) + ",\"target\":\"" + target + "\"}}";
        Assert.True(expected == body, $"Expected {expected}\nActual   {body}");
    }

    private static readonly JsonSerializerOptions RelaxedJson = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static string Encode(string value) => JsonSerializer.Serialize(value, RelaxedJson);
}
