using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using HttpJsonOptions = Microsoft.AspNetCore.Http.Json.JsonOptions;
using MvcJsonOptions = Microsoft.AspNetCore.Mvc.JsonOptions;

namespace Defender.ErrorMiddleware.Validation;

/// <summary>
/// Gives the binders' own JSON options the body contract (case-sensitive names, no duplicate members, required members and
/// the wrong-case hint through <see cref="BodyContractModifier"/>), has minimal APIs throw their binding failures instead of
/// answering a bare 400, and registers the translation of those failures as the error pipeline's own exception mappings.
/// Post-configuration, so it sees the application's own JSON settings (naming policy, source-generated contexts) and the
/// framework's defaults it overrides. Touching MVC's options costs nothing in an application without MVC: they are never resolved.
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
            // The runtime answers a body that fails to bind with a bare 400 and tells what failed only through this exception
            // (with the serializer's JsonException inside); the error pipeline translates it (see docs/validation.md).
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

        if (_options.CaseSensitiveRequestBodies)
        {
            options.PropertyNameCaseInsensitive = false;
        }

        if (!_options.ValidateRequests)
        {
            return;
        }

        // A member sent twice is refused by the serializer rather than the last one silently winning.
        options.AllowDuplicateProperties = false;
        if (options.TypeInfoResolver is { } resolver)
        {
            options.TypeInfoResolver = JsonTypeInfoResolver.Combine(resolver, BodyContractJsonContext.Default)
                .WithAddedModifier(new BodyContractModifier(_options.RejectUnknownBodyMembers).Modify);
        }
    }
}

/// <summary>
/// The binders' failures as the error pipeline's own exception mappings, added after the application's: minimal APIs'
/// <see cref="BadHttpRequestException"/> (with <c>ThrowOnBadRequest</c>), and a bare <see cref="JsonException"/> — what the
/// runtimes that let it bubble through problem details pass as the problem's exception. The pipeline never calls into input
/// handling; input handling registers with it.
/// </summary>
internal sealed class RequestInputMappings : IPostConfigureOptions<DefenderErrorOptions>
{
    public void PostConfigure(string? name, DefenderErrorOptions options)
    {
        if (!options.ValidateRequests)
        {
            return;
        }

        options.Map<BadHttpRequestException>((context, exception) =>
            RequestInputErrors.TryClassify(exception, BodyContract(context), out var error) ? error : null);
        // Only as the binder's answer (status 400 already set): an application's own JsonException stays a server fault.
        options.Map<JsonException>((context, exception) => context.Response.StatusCode == StatusCodes.Status400BadRequest
            ? RequestInputErrors.ForJson(exception, BodyContract(context))
            : null);
    }

    /// <summary>The minimal-API endpoint's body type, as its request delegate declares it, under the options it reads with.</summary>
    private static JsonTypeInfo? BodyContract(HttpContext context)
    {
        // Behind UseExceptionHandler() the request's endpoint is cleared before handlers run; the feature keeps it.
        var endpoint = context.GetEndpoint() ?? context.Features.Get<Microsoft.AspNetCore.Diagnostics.IExceptionHandlerFeature>()?.Endpoint;
        if (endpoint?.Metadata.GetMetadata<IAcceptsMetadata>()?.RequestType is not { } type)
        {
            return null;
        }

        try
        {
            // Read per failure (these options depend on the error options this mapping is part of).
            return context.RequestServices.GetService<IOptions<HttpJsonOptions>>()?.Value.SerializerOptions.GetTypeInfo(type);
        }
        catch (Exception exception) when (exception is NotSupportedException or InvalidOperationException or ArgumentException)
        {
            return null;
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
