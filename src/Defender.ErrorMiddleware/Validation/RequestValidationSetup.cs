using System.Text.Json;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;
using HttpJsonOptions = Microsoft.AspNetCore.Http.Json.JsonOptions;
using MvcJsonOptions = Microsoft.AspNetCore.Mvc.JsonOptions;

namespace Defender.ErrorMiddleware.Validation;

/// <summary>
/// Applies <see cref="DefenderErrorOptions.CaseSensitiveRequestBodies"/> and <see cref="DefenderErrorOptions.ValidateRequests"/>
/// to the framework's options. Post-configuration, so it sees the
/// application's own JSON settings (naming policy, source-generated contexts) and the framework's defaults it overrides.
/// Touching MVC's options costs nothing in an application without MVC: they are never resolved.
/// </summary>
internal sealed class RequestValidationSetup :
    IPostConfigureOptions<HttpJsonOptions>,
    IPostConfigureOptions<MvcJsonOptions>,
    IPostConfigureOptions<RouteHandlerOptions>,
    IConfigureOptions<MvcOptions>,
    IPostConfigureOptions<ApiBehaviorOptions>
{
    private readonly DefenderErrorOptions _options;

    public RequestValidationSetup(IOptions<DefenderErrorOptions> options) => _options = options.Value;

    public void PostConfigure(string? name, HttpJsonOptions options) => ConfigureJson(options.SerializerOptions);

    public void PostConfigure(string? name, MvcJsonOptions options)
    {
        ConfigureJson(options.JsonSerializerOptions);
        if (_options.ValidateRequests)
        {
            // Keep the serializer's exception (with its JSON path) in ModelState instead of its text, which names .NET types.
            options.AllowInputFormatterExceptionMessages = false;
        }
    }

    public void PostConfigure(string? name, RouteHandlerOptions options)
    {
        if (_options.ValidateRequests)
        {
            // Binding failures then arrive as BadHttpRequestException with the cause, instead of a bare 400.
            options.ThrowOnBadRequest = true;
        }
    }

    public void Configure(MvcOptions options)
    {
        if (_options.ValidateRequests)
        {
            options.Filters.AddService<DefenderMvcValidationFilter>(DefenderMvcValidationFilter.FilterOrder);
        }
    }

    public void PostConfigure(string? name, ApiBehaviorOptions options)
    {
        if (_options.ValidateRequests)
        {
            options.InvalidModelStateResponseFactory = DefenderMvcValidationFilter.CreateResult;
        }

        if (_options.HandleStatusCodes)
        {
            // [ApiController] would give bodiless client errors (415, 404 from NotFound()) a ProblemDetails body; leave them
            // bodiless so the middleware answers them with the envelope like every other status.
            options.SuppressMapClientErrors = true;
        }
    }

    private void ConfigureJson(JsonSerializerOptions options)
    {
        if (options.IsReadOnly)
        {
            return;
        }

        // Only the setting: the body contract is checked by the middleware's inspector (JsonBodyInspector), never by a converter
        // in these options, so the application's own (de)serialization and the OpenAPI schema exporters see the plain contract.
        if (_options.CaseSensitiveRequestBodies)
        {
            options.PropertyNameCaseInsensitive = false;
        }
    }
}

/// <summary>The validators for minimal APIs and MVC, each over its own JSON options.</summary>
internal sealed class RequestValidators
{
    public RequestValidators(IOptions<HttpJsonOptions> http, IOptions<MvcJsonOptions> mvc, IOptions<DefenderErrorOptions> options)
    {
        Enabled = options.Value.ValidateRequests;
        Http = new ModelValidator(() => http.Value.SerializerOptions);
        Mvc = new ModelValidator(() => mvc.Value.JsonSerializerOptions);
    }

    internal bool Enabled { get; }

    internal ModelValidator Http { get; }

    internal ModelValidator Mvc { get; }
}
