using System.Buffers;
using System.Reflection;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.Extensions.Options;
using JsonOptions = Microsoft.AspNetCore.Http.Json.JsonOptions;

namespace Defender.SampleApi.Http;

/// <summary>
/// Writes one entity as Defender does: its JSON object with <c>@odata.context</c> first
/// (<c>https://host/api/$metadata#MachineActions/$entity</c>), serialized with the app's JSON options (source-generated).
/// </summary>
internal static class ODataEntityWriter
{
    public const string ContentType = "application/json; odata.metadata=minimal; charset=utf-8";

    /// <summary>The service root every <c>@odata.context</c> and link starts with: <c>{scheme}://{host}{pathBase}/api/</c>.</summary>
    public static string ServiceRoot(HttpRequest request) => $"{request.Scheme}://{request.Host}{request.PathBase}/api/";

    public static string Context(HttpRequest request, string fragment) => ServiceRoot(request) + "$metadata#" + fragment;

    public static async Task WriteAsync<T>(HttpContext httpContext, T value, string contextFragment, int statusCode)
    {
        var options = httpContext.RequestServices.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions;
        var body = JsonSerializer.SerializeToUtf8Bytes(value, options.GetTypeInfo(typeof(T)));
        var response = httpContext.Response;
        response.StatusCode = statusCode;
        response.ContentType = ContentType;
        response.Headers["OData-Version"] = "4.0";

        // The entity's own object, opened with the context: {"@odata.context":"…", + the rest of {…}.
        var context = JsonSerializer.SerializeToUtf8Bytes(Context(httpContext.Request, contextFragment), options.GetTypeInfo(typeof(string)));
        var writer = response.BodyWriter;
        writer.Write("{\"@odata.context\":"u8);
        writer.Write(context);
        if (body.Length > 2)
        {
            writer.Write(","u8);
        }

        writer.Write(body.AsSpan(1));
        await writer.FlushAsync(httpContext.RequestAborted);
    }
}

/// <summary>200 with one entity and its <c>@odata.context</c>.</summary>
internal sealed class ODataOk<T>(T value, string contextFragment) : IResult, IEndpointMetadataProvider, IStatusCodeHttpResult, IValueHttpResult, IValueHttpResult<T>
{
    public T Value { get; } = value;

    object? IValueHttpResult.Value => Value;

    public int? StatusCode => StatusCodes.Status200OK;

    public Task ExecuteAsync(HttpContext httpContext) => ODataEntityWriter.WriteAsync(httpContext, Value, contextFragment, StatusCodes.Status200OK);

    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) =>
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status200OK, typeof(T), ["application/json"]));
}

/// <summary>201 with the created entity, its <c>@odata.context</c> and a <c>Location</c>.</summary>
internal sealed class ODataCreated<T>(T value, string contextFragment, string location)
    : IResult, IEndpointMetadataProvider, IStatusCodeHttpResult, IValueHttpResult, IValueHttpResult<T>
{
    public T Value { get; } = value;

    object? IValueHttpResult.Value => Value;

    public int? StatusCode => StatusCodes.Status201Created;

    public Task ExecuteAsync(HttpContext httpContext)
    {
        httpContext.Response.Headers.Location = location;
        return ODataEntityWriter.WriteAsync(httpContext, Value, contextFragment, StatusCodes.Status201Created);
    }

    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) =>
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status201Created, typeof(T), ["application/json"]));
}
